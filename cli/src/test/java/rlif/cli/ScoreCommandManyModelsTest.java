package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rlif score} with several models through the real CLI entry point: the table, and bad input. */
class ScoreCommandManyModelsTest {
    @TempDir
    Path tmp;

    static String committed(String name) {
        Path p = Path.of("..", "models", name).toAbsolutePath().normalize();
        assertThat(p.resolve("model.onnx")).as("the committed model %s is missing", p).exists();
        return p.toString();
    }

    @Test
    void repeatedModelFlagsWriteOneFolderEachAndPrintTheComparison() {
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("score", "--model", committed("arith-base"), "--model", committed("arith-instruct"),
                "--data", "arith:level=1,steps=2,split=test,n=8", "--samples", "2", "--max-new-tokens", "40",
                "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(out.resolve("arith-base/summary.json")).exists();
        assertThat(out.resolve("arith-instruct/rollouts.jsonl")).exists();
        assertThat(out.resolve("comparison.json")).exists();
        assertThat(out.resolve("comparison.html")).exists();
        assertThat(run.out()).contains("2 models, 8 problems x 2 samples").contains("baseline               arith-base")
                .containsPattern("(?m)^arith-instruct +- +[01](\\.\\d+)? \\[")
                .containsPattern("(?m)^  d +-?[01](\\.\\d+)? \\[");
        assertThat(run.err()).contains("model 2 of 2: arith-instruct");
    }

    /** Every generating flag of {@code rlif score}, none at its default. */
    private static final List<String> FLAGS = List.of("--data", "arith:level=1,steps=2,split=test,n=8", "--limit", "3",
            "--samples", "2", "--max-new-tokens", "20", "--temperature", "0.7", "--top-k", "5", "--top-p", "0.9",
            "--seed", "3", "--batch-size", "4", "--device", "cpu", "--threads", "1", "--kernels", "scalar",
            "--engine", "step", "--prompt-format", "plain", "--token-signals");

    /** What {@link #FLAGS} must leave in a summary's {@code settings} (the model aside). */
    private static void assertFlagsRecorded(JsonNode settings) {
        assertThat(settings.get("data").asText()).startsWith("arith:");
        assertThat(settings.get("limit").asInt()).isEqualTo(3);
        assertThat(settings.get("samples").asInt()).isEqualTo(2);
        assertThat(settings.get("max_new_tokens").asInt()).isEqualTo(20);
        assertThat(settings.get("temperature").asDouble()).isEqualTo(0.7);
        assertThat(settings.get("top_k").asInt()).isEqualTo(5);
        assertThat(settings.get("top_p").asDouble()).isEqualTo(0.9);
        assertThat(settings.get("seed").asLong()).isEqualTo(3);
        assertThat(settings.get("batch_size").asInt()).isEqualTo(4);
        assertThat(settings.get("device").asText()).isEqualTo("cpu");
        assertThat(settings.get("kernels").asText()).isEqualTo("scalar");
        assertThat(settings.get("engine").asText()).isEqualTo("step");
        assertThat(settings.get("prompt_format").asText()).isEqualTo("plain");
        assertThat(settings.get("token_signals").asBoolean()).isTrue();
        assertThat(settings.get("teacher_forced").asBoolean()).isFalse();
    }

    private static CliRun score(Path out, String... models) {
        List<String> args = new ArrayList<>(List.of("score"));
        for (String m : models) {
            args.addAll(List.of("--model", m));
        }
        args.addAll(FLAGS);
        args.addAll(List.of("--out", out.toString()));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void everyScoreFlagReachesOneModelAndEachOfSeveral() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path one = tmp.resolve("one");
        CliRun single = score(one, committed("arith-base"));
        assertThat(single.code()).as(single.err()).isZero();
        JsonNode alone = json.readTree(one.resolve("summary.json").toFile());
        assertFlagsRecorded(alone.get("settings"));
        assertThat(alone.at("/counts/rollouts").asInt()).isEqualTo(6);
        assertThat(Files.readAllLines(one.resolve("rollouts.jsonl"))).allMatch(l -> l.contains("\"token_entropies\""));

        Path many = tmp.resolve("many");
        CliRun run = score(many, committed("arith-base"), committed("arith-instruct"));
        assertThat(run.code()).as(run.err()).isZero();
        for (String m : List.of("arith-base", "arith-instruct")) {
            JsonNode summary = json.readTree(many.resolve(m).resolve("summary.json").toFile());
            assertFlagsRecorded(summary.get("settings"));
            assertThat(summary.at("/counts/rollouts").asInt()).isEqualTo(6);
            assertThat(Files.readAllLines(many.resolve(m).resolve("rollouts.jsonl")))
                    .allMatch(l -> l.contains("\"token_entropies\""));
        }
        assertFlagsRecorded(json.readTree(many.resolve("comparison.json").toFile()).get("settings"));
        // the same model under the same flags writes the same rows, alone or among several
        assertThat(Files.readAllLines(many.resolve("arith-base/rollouts.jsonl")))
                .isEqualTo(Files.readAllLines(one.resolve("rollouts.jsonl")));
    }

    @Test
    void teacherForcingScoresTheSameCompletionsUnderEachModel() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path generated = tmp.resolve("generated");
        CliRun gen = CliRun.of("score", "--model", committed("arith-base"), "--data", "arith:level=1,steps=2,split=test,n=4",
                "--samples", "2", "--max-new-tokens", "20", "--out", generated.toString());
        assertThat(gen.code()).as(gen.err()).isZero();
        Path given = generated.resolve("rollouts.jsonl");

        Path forced = tmp.resolve("forced");
        CliRun run = CliRun.of("score", "--model", committed("arith-base"), committed("arith-instruct"), "--teacher-forced",
                "--data", given.toString(), "--out", forced.toString());
        assertThat(run.code()).as(run.err()).isZero();
        List<JsonNode> generatedRows = rows(json, given);
        for (String m : List.of("arith-base", "arith-instruct")) {
            List<JsonNode> mine = rows(json, forced.resolve(m).resolve("rollouts.jsonl"));
            assertThat(mine).hasSameSizeAs(generatedRows);
            for (int i = 0; i < mine.size(); i++) {
                assertThat(mine.get(i).get("completion")).isEqualTo(generatedRows.get(i).get("completion"));
                assertThat(mine.get(i).get("correct")).isEqualTo(generatedRows.get(i).get("correct"));
            }
            assertThat(json.readTree(forced.resolve(m).resolve("summary.json").toFile()).at("/settings/teacher_forced")
                    .asBoolean()).isTrue();
        }
        // the model that generated them scores its own completions with the signals it generated them with
        List<JsonNode> base = rows(json, forced.resolve("arith-base/rollouts.jsonl"));
        for (int i = 0; i < base.size(); i++) {
            assertThat(base.get(i).get("self_certainty").asDouble()).isCloseTo(
                    generatedRows.get(i).get("self_certainty").asDouble(), org.assertj.core.data.Offset.offset(1e-5));
        }
        JsonNode comparison = json.readTree(forced.resolve("comparison.json").toFile());
        assertThat(comparison.get("samples").asInt()).isEqualTo(2);
        JsonNode d = comparison.at("/models/1/paired_difference");
        // the same completions grade the same under every model: a paired accuracy difference of exactly 0
        assertThat(d.at("/accuracy/estimate").asDouble()).isZero();
        assertThat(d.at("/accuracy/ci95/0").asDouble()).isZero();
        assertThat(d.at("/accuracy/ci95/1").asDouble()).isZero();
        // while the instruct model is more certain of them than the base model that wrote them
        assertThat(d.at("/signals/self_certainty/mean/ci95/0").asDouble()).isPositive();
        assertThat(run.out()).contains("2 models, 4 problems x 2 samples");
    }

    private static List<JsonNode> rows(ObjectMapper json, Path file) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            rows.add(json.readTree(line));
        }
        return rows;
    }

    @Test
    void aGlobThatMatchesNothingIsOneErrorLineAndWritesNothing() {
        Path out = tmp.resolve("none");
        CliRun run = CliRun.of("score", "--model", tmp + "/run/checkpoints/step-*", "--data", "arith", "--out", out.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).containsExactly("error: --model '" + tmp + "/run/checkpoints/step-*' matches no directory");
        assertThat(run.err()).doesNotContain("\tat ");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void aPromptTooLongForOneOfTheModelsNamesThatModel() {
        Path out = tmp.resolve("long");
        CliRun run = CliRun.of("score", "--model", committed("arith-base"), committed("arith-instruct"),
                "--data", "arith:n=4", "--max-new-tokens", "256", "--out", out.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).containsExactly("error: --model " + committed("arith-base") + ": --data arith problem 0:"
                + " the prompt has 20 tokens; with --max-new-tokens 256 it exceeds the model's context length of 128");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void aMissingModelAmongSeveralIsRefusedBeforeAnyScoring() {
        Path out = tmp.resolve("missing");
        CliRun run = CliRun.of("score", "--model", committed("arith-base"), tmp.resolve("nope").toString(),
                "--data", "arith:n=4", "--max-new-tokens", "40", "--out", out.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).hasSize(1);
        assertThat(run.errorLines().get(0)).contains("nope");
        assertThat(Files.exists(out)).isFalse();
    }
}
