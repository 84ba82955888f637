package rlif.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingReportTest {
    @TempDir
    Path dir;

    private static List<Map<String, Object>> rows() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int step = 0; step <= 8; step++) {
            if (step > 0) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("step", step);
                t.put("loss", 1.0 / step);
                t.put("kl", 0.0);
                t.put("lr", 2e-4);
                t.put("token_entropy", 10.37030 + 1e-6 * step); // a narrow spread far from zero
                t.put("seconds_rollout", 0.5);
                rows.add(t);
            }
            if (step % 4 == 0) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("step", step);
                e.put("eval", true);
                e.put("accuracy", 0.5 - 0.05 * step);
                e.put("graded", 64);
                e.put("examples", List.of(Map.of("completion", "3 + 4 = 7 <b>", "correct", true)));
                if (step == 0) {
                    e.put("provenance", Map.of("rlif_version", "0.1.0", "git_commit", "abc"));
                }
                rows.add(e);
            }
        }
        return rows;
    }

    @Test
    void accuracyHasIntervalsExamplesAreShownAndFlatMetricsAreExplainedNotDrawn() throws Exception {
        Path file = dir.resolve("report.html");
        TrainingReport.write(file, "run <x>", rows());
        String html = Files.readString(file);
        String text = html.replaceAll("<img [^>]*>", "");
        assertThat(text).contains("run &lt;x&gt;", "rlif_version 0.1.0", "3 + 4 = 7 &lt;b&gt;", "[correct]");
        assertThat(text).contains("kl = 0 at every step: no KL term (beta 0)",
                "lr = 0.0002 at every step: the learning rate is constant");
        assertThat(html).contains("alt=\"accuracy\"", "alt=\"loss\"", "alt=\"token_entropy\"",
                "alt=\"seconds per step, by phase\"");
        assertThat(html).doesNotContain("alt=\"kl\"").doesNotContain("alt=\"lr\"");
    }

    @Test
    void metricsAreOrderedWithTimingsLastAndSharesSitOnTheUnitAxis() {
        List<String> keys = TrainingReport.keys(rows());
        assertThat(keys).startsWith("accuracy", "loss");
        assertThat(keys.getLast()).isEqualTo("seconds_rollout");
        assertThat(TrainingReport.isShare("frac_reward_zero_std")).isTrue();
        assertThat(TrainingReport.isShare("completions/clipped_ratio")).isTrue();
        assertThat(TrainingReport.isShare("loss")).isFalse();
    }
}
