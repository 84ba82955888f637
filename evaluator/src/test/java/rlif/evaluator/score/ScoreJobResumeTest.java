package rlif.evaluator.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.evaluator.prompt.PromptFormat;
import rlif.evaluator.testing.Shared;
import rlif.models.BadInputException;

/**
 * Evidence (f): a run that is interrupted and resumed writes the same {@code rollouts.jsonl}, byte for byte,
 * as one that ran straight through, on the real llama fixture with sampling on.
 */
class ScoreJobResumeTest {
    @TempDir
    static Path tmp;

    static Path reference;

    static ScoreSettings settings(int seed) {
        return new ScoreSettings(Shared.fixture("tiny-random-llama-fp16").toString(),
                Shared.data("gsm8k-test.jsonl").toAbsolutePath().normalize().toString(), 3, 3, 8, 1.0, 0, 1.0, seed,
                4, "cpu", "auto", PromptFormat.PLAIN, true);
    }

    @BeforeAll
    static void runStraightThrough() {
        reference = tmp.resolve("straight");
        ScoreJob.Result r = new ScoreJob(settings(11), reference, false).run();
        assertThat(r.newRows()).isEqualTo(9);
        assertThat(r.summary().get("complete").asBoolean()).isTrue();
    }

    private static byte[] rollouts(Path out) throws IOException {
        return Files.readAllBytes(out.resolve(ScoreJob.ROLLOUTS));
    }

    @Test
    void resumingAfterAStopInTheMiddleOfABatchGivesTheSameFile() throws IOException {
        Path out = tmp.resolve("stopped");
        // 5 rows: the first batch of 4 and one row of the second, so the resume redoes a partly written batch.
        assertThatThrownBy(() -> new ScoreJob(settings(11), out, false).stopAfterNewRows(5).run())
                .isInstanceOf(ScoreJob.Stopped.class);
        assertThat(Files.readAllLines(out.resolve(ScoreJob.ROLLOUTS))).hasSize(5);
        assertThat(new ObjectMapper().readTree(out.resolve(ScoreJob.SUMMARY).toFile()).get("complete").asBoolean())
                .isFalse();
        ScoreJob.Result r = new ScoreJob(settings(11), out, false).run();
        assertThat(r.resumedRows()).isEqualTo(5);
        assertThat(r.newRows()).isEqualTo(4);
        assertThat(rollouts(out)).isEqualTo(rollouts(reference));
    }

    @Test
    void resumingAfterATornLastLineDropsItAndGivesTheSameFile() throws IOException {
        Path out = tmp.resolve("torn");
        Files.createDirectories(out);
        byte[] full = rollouts(reference);
        int secondNewline = indexOfNth(full, (byte) '\n', 2);
        // Cut in the middle of the third row, as a kill during a write would.
        Files.write(out.resolve(ScoreJob.ROLLOUTS), Arrays.copyOf(full, secondNewline + 1 + 40));
        Files.copy(reference.resolve(ScoreJob.SUMMARY), out.resolve(ScoreJob.SUMMARY));
        ScoreJob.Result r = new ScoreJob(settings(11), out, false).run();
        assertThat(r.droppedBytes()).isEqualTo(40);
        assertThat(r.resumedRows()).isEqualTo(2);
        assertThat(rollouts(out)).isEqualTo(full);
    }

    private static Path copyOfReference(String name) throws IOException {
        Path out = Files.createDirectories(tmp.resolve(name));
        for (String f : List.of(ScoreJob.ROLLOUTS, ScoreJob.SUMMARY, ScoreJob.REPORT)) {
            Files.copy(reference.resolve(f), out.resolve(f));
        }
        return out;
    }

    private static int indexOfNth(byte[] bytes, byte b, int n) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b && --n == 0) {
                return i;
            }
        }
        throw new AssertionError("fewer than " + n + " lines");
    }

    @Test
    void rerunningAFinishedRunGeneratesNothing() throws IOException {
        Path out = copyOfReference("again");
        byte[] before = rollouts(out);
        ScoreJob.Result r = new ScoreJob(settings(11), out, false).run();
        assertThat(r.newRows()).isZero();
        assertThat(rollouts(out)).isEqualTo(before);
    }

    @Test
    void differentSettingsAreRefusedWithoutOverwriteAndLeaveTheFilesAlone() throws IOException {
        Path out = copyOfReference("other");
        byte[] rollouts = rollouts(out);
        byte[] summary = Files.readAllBytes(out.resolve(ScoreJob.SUMMARY));
        assertThatThrownBy(() -> new ScoreJob(settings(12), out, false).run())
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("different settings (seed was 11, now 12)");
        assertThat(rollouts(out)).isEqualTo(rollouts);
        assertThat(Files.readAllBytes(out.resolve(ScoreJob.SUMMARY))).isEqualTo(summary);
        ScoreJob.Result r = new ScoreJob(settings(12), out, true).run();
        assertThat(r.newRows()).isEqualTo(9);
        assertThat(rollouts(out)).isNotEqualTo(rollouts);
    }

    @Test
    void rowsFollowTheContract() throws IOException {
        List<String> lines = Files.readAllLines(reference.resolve(ScoreJob.ROLLOUTS));
        JsonNode row = new ObjectMapper().readTree(lines.get(0));
        assertThat(row.properties().stream().map(e -> e.getKey()).toList()).containsExactly("prompt_index", "id",
                "sample", "prompt", "prompt_format", "prompt_ids", "completion", "completion_ids", "finish_reason", "num_tokens", "token_entropy",
                "self_certainty", "trajectory_entropy", "sum_logprob", "answer", "reference", "correct",
                "token_logprobs", "token_entropies", "token_self_certainties");
        assertThat(row.get("reference").asText()).isEqualTo("18");
        assertThat(row.get("prompt_format").asText()).isEqualTo("plain");
        assertThat(row.get("prompt_ids")).isNotEmpty(); // with --token-signals
        assertThat(row.get("token_logprobs")).hasSize(row.get("num_tokens").asInt());
        // Trajectory values are the means (and sum) of the per-token arrays written beside them.
        double sum = 0;
        for (JsonNode v : row.get("token_logprobs")) {
            sum += v.asDouble();
        }
        assertThat(row.get("sum_logprob").asDouble()).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Files.readString(reference.resolve(ScoreJob.REPORT))).startsWith("<!doctype html>")
                .contains("data:image/png;base64,");
    }

    @Test
    void warmingUpIsAPhaseOfItsOwnOutsideGenerationTime() throws IOException {
        JsonNode summary = new ObjectMapper().readTree(reference.resolve(ScoreJob.SUMMARY).toFile());
        JsonNode phases = summary.get("phase_seconds");
        assertThat(phases.properties().stream().map(e -> e.getKey()).toList())
                .containsSubsequence("open_session", "warm_up", "generate");
        // generation_seconds counts generate calls only, all of which happen inside the generate phase.
        assertThat(summary.at("/throughput/generation_seconds").asDouble())
                .isLessThanOrEqualTo(phases.get("generate").asDouble());
    }
}
