package rlif.evaluator.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.evaluator.data.ProblemSources;
import rlif.evaluator.prompt.PromptFormat;
import rlif.evaluator.report.RolloutsFile;
import rlif.evaluator.report.Signal;
import rlif.evaluator.score.ScoreJob;
import rlif.evaluator.score.ScoreSettings;
import rlif.models.BadInputException;

/**
 * {@code rlif score} of several models on the committed arith models: one sub-folder per model, a comparison
 * that reports exactly what each model's {@code summary.json} says plus intervals and paired differences, the
 * same problems and seeds for every model, resume per model, and checkpoints plotted by step.
 */
class MultiScoreJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static Path out;
    static MultiScoreJob.Result first;

    static Path committed(String name) {
        Path p = Path.of("..", "models", name).toAbsolutePath().normalize();
        assertThat(Files.isRegularFile(p.resolve("model.onnx"))).as("the committed model %s is missing", p).isTrue();
        return p;
    }

    static ScoreSettings settings() {
        return new ScoreSettings("", ProblemSources.of("arith:level=1,steps=2,split=test,n=16").describe(), 0, 4, 40,
                1.0, 0, 1.0, 7, 16, "cpu", "auto", PromptFormat.PLAIN, false);
    }

    @BeforeAll
    static void scoreBaseInstructAndACheckpoint() throws IOException {
        // a "checkpoint" directory named as rlif train names them, to be found by a glob and plotted by step
        Path step = Files.createDirectories(tmp.resolve("run/checkpoints/step-12"));
        try (Stream<Path> files = Files.list(committed("arith-instruct"))) {
            for (Path f : files.toList()) {
                Files.copy(f, step.resolve(f.getFileName()));
            }
        }
        List<ScoredModel> models = ModelPatterns.expand(List.of(committed("arith-base").toString(),
                committed("arith-instruct").toString(), tmp + "/run/checkpoints/step-*"));
        out = tmp.resolve("out");
        first = new MultiScoreJob(models, settings(), out, false).run();
    }

    static JsonNode read(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    @Test
    void eachModelHasItsOwnFolderAndTheComparisonReportsWhatItsSummarySays() throws IOException {
        JsonNode comparison = read(out.resolve(MultiScoreJob.COMPARISON_JSON));
        assertThat(comparison).isEqualTo(JSON.readTree(first.comparison().toString()));
        assertThat(comparison.get("baseline").asText()).isEqualTo("arith-base");
        assertThat(comparison.get("models").findValuesAsText("name")).containsExactly("arith-base", "arith-instruct", "step-12");
        assertThat(Files.readString(out.resolve(MultiScoreJob.COMPARISON_HTML))).contains("<img").contains("step-12");
        for (JsonNode m : comparison.get("models")) {
            Path dir = out.resolve(m.get("name").asText());
            for (String f : List.of(ScoreJob.ROLLOUTS, ScoreJob.SUMMARY, ScoreJob.REPORT)) {
                assertThat(dir.resolve(f)).exists();
            }
            JsonNode summary = read(dir.resolve(ScoreJob.SUMMARY));
            assertThat(summary.at("/settings/model").asText()).isEqualTo(m.get("path").asText());
            assertThat(m.get("rollouts").asInt()).isEqualTo(64);
            // Same rules, same rows: equal to the last bit except the pooled means (a sum over a Welford mean).
            assertThat(m.at("/accuracy/estimate").asDouble()).isEqualTo(summary.get("accuracy").asDouble());
            for (String k : List.of("1", "2", "4")) {
                assertThat(m.at("/pass_at_k/" + k + "/estimate").asDouble()).isEqualTo(summary.at("/pass_at_k/" + k).asDouble());
                assertThat(m.at("/maj_at_k/" + k + "/estimate").asDouble()).isEqualTo(summary.at("/maj_at_k/" + k).asDouble());
            }
            for (Signal s : Signal.values()) {
                String p = "/signals/" + s.json();
                assertThat(m.at(p + "/mean/estimate").asDouble()).isCloseTo(summary.at(p + "/mean").asDouble(), within(1e-12));
                assertThat(m.at(p + "/auroc/estimate").asDouble()).isEqualTo(summary.at(p + "/auroc").asDouble());
            }
            // the intervals are summary.json's own
            assertThat(m.at("/accuracy/stderr").asDouble()).isEqualTo(summary.get("accuracy_stderr").asDouble());
            assertThat(m.at("/accuracy/ci95")).isEqualTo(summary.get("accuracy_ci95"));
            assertThat(m.at("/pass_at_k/4/ci95")).isEqualTo(summary.at("/pass_at_k_ci95/4"));
            assertThat(m.at("/signals/self_certainty/auroc/ci95")).isEqualTo(summary.at("/auroc_ci95/self_certainty"));
            assertThat(m.at("/signals/self_certainty/mean/stderr").asDouble()).isPositive();
        }
    }

    @Test
    void pairedDifferencesAreAgainstTheFirstModel() throws IOException {
        JsonNode models = read(out.resolve(MultiScoreJob.COMPARISON_JSON)).get("models");
        assertThat(models.get(0).get("paired_difference").isNull()).isTrue();
        for (int i = 1; i < models.size(); i++) {
            JsonNode m = models.get(i);
            JsonNode d = m.at("/paired_difference/accuracy");
            assertThat(d.get("estimate").asDouble())
                    .isCloseTo(m.at("/accuracy/estimate").asDouble() - models.get(0).at("/accuracy/estimate").asDouble(), within(1e-12));
            assertThat(d.get("ci95").get(0).asDouble()).isLessThan(d.get("estimate").asDouble());
            assertThat(m.at("/paired_difference/signals/self_certainty/mean/stderr").asDouble()).isPositive();
            assertThat(d.get("stderr").asDouble()).isPositive();
        }
        // the instruct copy scored the same problems with the same seeds, so it wrote the same rows as instruct
        assertThat(Files.readAllBytes(out.resolve("step-12").resolve(ScoreJob.ROLLOUTS)))
                .isEqualTo(Files.readAllBytes(out.resolve("arith-instruct").resolve(ScoreJob.ROLLOUTS)));
        assertThat(models.get(2).at("/paired_difference/accuracy/estimate").asDouble())
                .isEqualTo(models.get(1).at("/paired_difference/accuracy/estimate").asDouble());
    }

    @Test
    void everyModelGetsTheSameProblemsAndSamples() {
        Set<List<Integer>> base = keys(out.resolve("arith-base"));
        assertThat(base).hasSize(64);
        assertThat(keys(out.resolve("arith-instruct"))).isEqualTo(base);
    }

    private static Set<List<Integer>> keys(Path dir) {
        Set<List<Integer>> keys = new HashSet<>();
        RolloutsFile.read(dir.resolve(ScoreJob.ROLLOUTS), r -> keys.add(List.of(r.promptIndex(), r.sample())));
        return keys;
    }

    @Test
    void checkpointsCarryTheirStep() throws IOException {
        JsonNode models = read(out.resolve(MultiScoreJob.COMPARISON_JSON)).get("models");
        assertThat(models.get(0).get("step").isNull()).isTrue();
        assertThat(models.get(2).get("step").asInt()).isEqualTo(12);
    }

    @Test
    void rerunningResumesEveryModelAndGeneratesNothing() throws IOException {
        List<ScoredModel> models = first.models();
        MultiScoreJob.Result again = new MultiScoreJob(models, settings(), out, false).run();
        assertThat(again.scores()).allSatisfy(r -> assertThat(r.newRows()).isZero());
        assertThat(again.comparison().toString()).isEqualTo(first.comparison().toString());
    }

    @Test
    void aMissingModelStopsTheRunBeforeAnyModelIsScored() {
        Path fresh = tmp.resolve("fresh");
        List<ScoredModel> models = List.of(new ScoredModel("arith-base", committed("arith-base").toString()),
                new ScoredModel("nope", tmp.resolve("nope").toString()));
        assertThatThrownBy(() -> new MultiScoreJob(models, settings(), fresh, false).run())
                .isInstanceOf(BadInputException.class).hasMessageContaining("nope");
        assertThat(fresh).doesNotExist();
    }
}
