package rlif.evaluator.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.evaluator.prompt.PromptFormat;
import rlif.evaluator.testing.Shared;
import rlif.models.BadInputException;

/**
 * {@code rlif score --teacher-forced} end to end on the committed arith models: a generated run's own
 * {@code rollouts.jsonl} is valid input as it is, scoring it gives back the generation-time signals, scoring it
 * under another model is batch-invariant, a killed run resumes to the same file, and every bad input is
 * refused naming the file, line and field.
 */
class TeacherForcedScoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static Path generated;

    static String committed(String name) {
        return Path.of("..", "models", name).toAbsolutePath().normalize().toString();
    }

    static ScoreSettings generation(String model, String data, boolean tokenSignals) {
        return new ScoreSettings(model, data, 6, 4, 40, 1.0, 0, 1.0, 3, 8, "cpu", "auto", PromptFormat.PLAIN, tokenSignals);
    }

    static ScoreSettings forced(String model, Path data, int batchSize, boolean tokenSignals) {
        return new ScoreSettings(model, data.toAbsolutePath().normalize().toString(), 0, 1, 1, 1.0, 0, 1.0, 0, batchSize,
                "cpu", "auto", PromptFormat.PLAIN, tokenSignals, true, "auto");
    }

    static List<JsonNode> rows(Path out) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(ScoreJob.ROLLOUTS))) {
            rows.add(JSON.readTree(line));
        }
        return rows;
    }

    @BeforeAll
    static void generate() {
        generated = tmp.resolve("generated");
        new ScoreJob(generation(committed("arith-base"), "arith:level=1,steps=2,split=test", true), generated, false).run();
    }

    @Test
    void aRunsOwnRolloutsScoreBackToTheirGenerationTimeSignals() throws IOException {
        Path out = tmp.resolve("forced-base");
        ScoreJob.Result r = new ScoreJob(forced(committed("arith-base"), generated.resolve(ScoreJob.ROLLOUTS), 8, true), out,
                false).run();
        List<JsonNode> gen = rows(generated);
        List<JsonNode> tf = rows(out);
        assertThat(r.newRows()).isEqualTo(24);
        assertThat(tf).hasSameSizeAs(gen);
        double worst = 0;
        for (int i = 0; i < gen.size(); i++) {
            JsonNode g = gen.get(i);
            JsonNode t = tf.get(i);
            // the same fields in the same order as a generated row
            assertThat(names(t)).isEqualTo(names(g));
            for (String same : List.of("prompt_index", "id", "sample", "prompt", "prompt_format", "prompt_ids", "completion",
                    "completion_ids", "finish_reason", "num_tokens", "answer", "reference", "correct")) {
                assertThat(t.get(same)).as("row %d field %s", i, same).isEqualTo(g.get(same));
            }
            for (String signal : List.of("token_logprobs", "token_entropies", "token_self_certainties")) {
                for (int k = 0; k < g.get(signal).size(); k++) {
                    double d = Math.abs(t.get(signal).get(k).asDouble() - g.get(signal).get(k).asDouble());
                    assertThat(d).as("row %d %s[%d]", i, signal, k).isLessThanOrEqualTo(1e-5);
                    worst = Math.max(worst, d);
                }
            }
        }
        JsonNode summary = r.summary();
        assertThat(summary.at("/settings/teacher_forced").asBoolean()).isTrue();
        assertThat(summary.at("/throughput/scoring_seconds").isNumber()).isTrue();
        assertThat(summary.at("/accuracy").asDouble()).isEqualTo(
                JSON.readTree(generated.resolve(ScoreJob.SUMMARY).toFile()).at("/accuracy").asDouble());
        System.out.printf("teacher-forced rollouts.jsonl vs its generation: %d rows, largest per-token difference %.3g%n",
                gen.size(), worst);
    }

    private static List<String> names(JsonNode o) {
        List<String> n = new ArrayList<>();
        o.fieldNames().forEachRemaining(n::add);
        return n;
    }

    @Test
    void anotherModelsRolloutsScoreTheSameInAnyBatch() throws IOException {
        Path data = generated.resolve(ScoreJob.ROLLOUTS);
        List<List<JsonNode>> runs = new ArrayList<>();
        for (int batch : new int[] {1, 5, 24}) {
            Path out = tmp.resolve("instruct-batch-" + batch);
            new ScoreJob(forced(committed("arith-instruct"), data, batch, true), out, false).run();
            runs.add(rows(out));
        }
        double worst = 0;
        for (List<JsonNode> run : runs.subList(1, runs.size())) {
            for (int i = 0; i < run.size(); i++) {
                for (String signal : List.of("token_logprobs", "token_entropies", "token_self_certainties")) {
                    JsonNode a = runs.get(0).get(i).get(signal);
                    JsonNode b = run.get(i).get(signal);
                    assertThat(b).hasSameSizeAs(a);
                    for (int k = 0; k < a.size(); k++) {
                        worst = Math.max(worst, Math.abs(a.get(k).asDouble() - b.get(k).asDouble()));
                    }
                }
            }
        }
        // right padding never reaches a real position (causal attention), and rows are independent in every product
        assertThat(worst).as("largest difference between batch sizes 1, 5 and 24").isLessThanOrEqualTo(1e-6);
        // under another model the signals are that model's: the instruct model is far more certain of base's text
        double baseH = JSON.readTree(generated.resolve(ScoreJob.SUMMARY).toFile()).at("/signals/token_entropy/mean").asDouble();
        double instructH = JSON.readTree(tmp.resolve("instruct-batch-5").resolve(ScoreJob.SUMMARY).toFile())
                .at("/signals/token_entropy/mean").asDouble();
        assertThat(instructH).isNotEqualTo(baseH);
        System.out.printf("arith-base rollouts under arith-instruct: batch sizes 1, 5, 24 differ by at most %.3g;"
                + " mean token entropy %.4f (base on its own: %.4f)%n", worst, instructH, baseH);
    }

    @Test
    void aKilledRunResumesToTheSameFile() throws IOException {
        Path data = generated.resolve(ScoreJob.ROLLOUTS);
        Path straight = tmp.resolve("straight");
        new ScoreJob(forced(committed("arith-base"), data, 4, false), straight, false).run();
        Path killed = tmp.resolve("killed");
        assertThatThrownBy(() -> new ScoreJob(forced(committed("arith-base"), data, 4, false), killed, false)
                .stopAfterNewRows(10).run()).isInstanceOf(ScoreJob.Stopped.class);
        ScoreJob.Result resumed = new ScoreJob(forced(committed("arith-base"), data, 4, false), killed, false).run();
        assertThat(resumed.resumedRows()).isEqualTo(10);
        assertThat(resumed.newRows()).isEqualTo(14);
        assertThat(Files.readAllBytes(killed.resolve(ScoreJob.ROLLOUTS)))
                .isEqualTo(Files.readAllBytes(straight.resolve(ScoreJob.ROLLOUTS)));
        // a different temperature is a different run
        assertThatThrownBy(() -> new ScoreJob(new ScoreSettings(committed("arith-base"), data.toAbsolutePath().normalize()
                .toString(), 0, 1, 1, 0.7, 0, 1.0, 0, 4, "cpu", "auto", PromptFormat.PLAIN, false, true, "auto"), killed, false).run())
                .isInstanceOf(BadInputException.class).hasMessageContaining("temperature was 1.0, now 0.7");
    }

    /**
     * A chat run's rows carry the prompt as the template rendered it and {@code "prompt_format": "chat"}, without
     * ids unless {@code --token-signals}: scoring them (under {@code --prompt-format chat} or plain alike) encodes
     * that text as it is instead of templating it a second time, so the signals come back.
     */
    @Test
    void chatRenderedPromptsAreNotTemplatedAgain() throws IOException {
        Path chatRun = tmp.resolve("chat-run");
        new ScoreJob(new ScoreSettings(committed("arith-instruct"), "arith:level=1,steps=2,split=test", 4, 2, 40, 1.0, 0, 1.0,
                5, 8, "cpu", "auto", PromptFormat.CHAT, false), chatRun, false).run();
        List<JsonNode> gen = rows(chatRun);
        assertThat(gen.get(0).get("prompt_format").asText()).isEqualTo("chat");
        assertThat(gen.get(0).has("prompt_ids")).isFalse();
        for (PromptFormat format : PromptFormat.values()) {
            Path out = tmp.resolve("chat-forced-" + format);
            new ScoreJob(new ScoreSettings(committed("arith-instruct"), chatRun.resolve(ScoreJob.ROLLOUTS).toString(), 0, 1, 1,
                    1.0, 0, 1.0, 0, 8, "cpu", "auto", format, false, true, "auto"), out, false).run();
            List<JsonNode> tf = rows(out);
            for (int i = 0; i < gen.size(); i++) {
                assertThat(tf.get(i).get("prompt")).isEqualTo(gen.get(i).get("prompt"));
                for (String signal : List.of("token_entropy", "self_certainty", "sum_logprob")) {
                    assertThat(tf.get(i).get(signal).asDouble()).as("row %d %s under %s", i, signal, format)
                            .isCloseTo(gen.get(i).get(signal).asDouble(), org.assertj.core.data.Offset.offset(1e-5));
                }
            }
        }
    }

    @Test
    void rowsWithoutRunFieldsAreGroupedByPromptAndGiveBestOfN() throws IOException {
        Path data = tmp.resolve("pairs.jsonl");
        Files.writeString(data, """
                {"prompt": "compute 3 + 4\\n", "completion": "3 + 4 = 7\\n#### 7\\n", "answer": "#### 7"}
                {"prompt": "compute 3 + 4\\n", "completion": "3 + 4 = 8\\n#### 8\\n", "answer": "#### 7"}
                {"prompt": "compute 9 - 2\\n", "completion": "9 - 2 = 7\\n#### 7\\n", "answer": "#### 7"}
                {"prompt": "compute 3 + 4\\n", "completion": "", "answer": "#### 7"}
                """);
        Path out = tmp.resolve("pairs");
        ScoreJob.Result r = new ScoreJob(forced(committed("arith-base"), data, 8, false), out, false).run();
        List<JsonNode> rows = rows(out);
        assertThat(rows).extracting(n -> n.get("prompt_index").asInt()).containsExactly(0, 0, 1, 0);
        assertThat(rows).extracting(n -> n.get("sample").asInt()).containsExactly(0, 1, 0, 2);
        assertThat(rows).extracting(n -> n.get("correct").asText()).containsExactly("true", "false", "true", "false");
        assertThat(rows.get(3).get("num_tokens").asInt()).isZero();
        assertThat(rows.get(3).get("token_entropy").isNull()).isTrue();
        assertThat(r.problems()).isEqualTo(2);
        assertThat(r.summary().at("/counts/rollouts").asInt()).isEqualTo(4);
        assertThat(r.summary().at("/pass_at_k/3").isMissingNode()).isFalse();
        assertThat(r.summary().at("/best_of_n/self_certainty/vote_at_k/3").isNumber()).isTrue();
        assertThat(Files.readString(out.resolve(ScoreJob.REPORT))).contains("best-of-3: most confident")
                .contains("rank-weighted vote");
    }

    // ---- bad input: one BadInputException naming the file, the line and the field ----

    private static void refused(String rows, String... expected) throws IOException {
        Path data = tmp.resolve("bad-" + Integer.toHexString(rows.hashCode()) + ".jsonl");
        Files.writeString(data, rows);
        Path out = tmp.resolve("bad-out-" + Integer.toHexString(rows.hashCode()));
        var thrown = assertThatThrownBy(() -> new ScoreJob(forced(committed("arith-base"), data, 8, false), out, false).run())
                .isInstanceOf(BadInputException.class);
        for (String e : expected) {
            thrown.hasMessageContaining(e);
        }
        assertThat(out).doesNotExist();
    }

    @Test
    void completionIdsOutsideTheVocabularyAreRefused() throws IOException {
        refused("""
                {"prompt": "compute 1 + 2\\n", "completion_ids": [5, 6]}
                {"prompt": "compute 1 + 2\\n", "completion_ids": [5, 99999]}
                """, "line 2", "field completion_ids", "99999", "vocabulary");
    }

    @Test
    void promptPlusCompletionOverTheContextIsRefused() throws IOException {
        String longCompletion = "1 + 1 = 2\\n".repeat(20); // arith-base's context is 128 tokens
        refused("{\"prompt\": \"compute 1 + 1\\n\", \"completion\": \"" + longCompletion + "\"}\n",
                "line 1", "field completion", "context length of 128");
    }

    @Test
    void aRowWithoutACompletionIsRefused() throws IOException {
        refused("""
                {"prompt": "compute 1 + 2\\n", "completion": "3"}
                {"prompt": "compute 1 + 2\\n", "answer": "3"}
                """, "line 2", "field completion", "completion_ids");
    }

    @Test
    void textTheTokenizerDoesNotGiveBackIsRefused() throws IOException {
        // arith-base's tokenizer knows printable ASCII and newline; anything else becomes <unk>
        refused("""
                {"prompt": "compute 1 + 2\\n", "completion": "1 + 2 = 3 \u20ac"}
                """, "line 1", "field completion", "round trip changes the text");
    }

    @Test
    void arithHasNoCompletionsToScore() {
        assertThatThrownBy(() -> new ScoreJob(new ScoreSettings(committed("arith-base"), "arith:level=1", 0, 1, 1, 1.0, 0,
                1.0, 0, 8, "cpu", "auto", PromptFormat.PLAIN, false, true, "auto"), tmp.resolve("arith"), false).run())
                .isInstanceOf(BadInputException.class).hasMessageContaining("--teacher-forced");
    }

    @Test
    void samplesDoNotApply() {
        assertThatThrownBy(() -> new ScoreSettings(committed("arith-base"), Shared.data("gsm8k-test.jsonl").toString(), 0,
                4, 1, 1.0, 0, 1.0, 0, 8, "cpu", "auto", PromptFormat.PLAIN, false, true, "auto"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("--samples does not apply");
    }
}
