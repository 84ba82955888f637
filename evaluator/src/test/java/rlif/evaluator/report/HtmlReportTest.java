package rlif.evaluator.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
    @TempDir
    Path dir;

    private static List<RolloutRow> rows(boolean mixed) {
        Random r = new Random(1);
        List<RolloutRow> rows = new ArrayList<>();
        for (int p = 0; p < 12; p++) {
            for (int s = 0; s < 4; s++) {
                boolean correct = mixed && r.nextDouble() < 0.5;
                // token entropy 10.3703 +- 1e-5: the spread that left the old axis without labels
                rows.add(new RolloutRow(p, "p" + p, s, "x", new int[] {1}, "eos", 3 + r.nextInt(4),
                        10.3703 + 1e-5 * r.nextGaussian(), 0.0032 + (correct ? 2e-6 : 0) * r.nextDouble(), r.nextDouble(),
                        -r.nextDouble() * 5, "1", "1", correct, null, null, null));
            }
        }
        return rows;
    }

    private String write(List<RolloutRow> rows) throws Exception {
        ObjectNode summary = new ObjectMapper().createObjectNode();
        summary.putObject("settings").put("model", "m").put("data", "d");
        new Summary(rows, 4).writeTo(summary);
        Path file = dir.resolve("report.html");
        HtmlReport.write(file, summary, rows);
        return Files.readString(file);
    }

    @Test
    void everySignalGetsAHistogramARocCurveAndAReliabilityPlotBesideItsInterval() throws Exception {
        String html = write(rows(true));
        assertThat(html).contains("AUROC [95% interval]", "pass@k [95% interval]", "token_entropy ROC",
                "self_certainty reliability", "sum_logprob distribution");
        assertThat(html.split("<img ", -1)).hasSize(1 + 4 * 3 + 1);
        assertThat(html.replaceAll("<img [^>]*>", "")).doesNotContain("NaN");
    }

    @Test
    void aRunWithOnlyWrongAnswersSaysWhyItHasNoRocCurves() throws Exception {
        String html = write(rows(false));
        assertThat(html).contains("every graded rollout is incorrect");
        assertThat(html.split("<img ", -1)).hasSize(1 + 4 + 1);
    }

    @Test
    void anAxisOverANarrowSpreadFarFromZeroLabelsTheRealValues() {
        Charts.Axis axis = Charts.Axis.of(10.37029, 10.37031);
        assertThat(axis.plot(10.37030)).isBetween(0.0, 1e-4);
        var label = axis.labels(0);
        assertThat(label.apply(axis.plot(10.37030))).isEqualTo("10.3703");
        assertThat(label.apply(axis.plot(10.370295))).isEqualTo("10.370295");
        // one value: a small range around it, not a division by zero
        Charts.Axis one = Charts.Axis.of(3.205e-3, 3.205e-3);
        assertThat(one.max()).isGreaterThan(one.min());
        assertThat(Charts.Axis.niceStep(0.0031)).isEqualTo(0.005);
    }
}
