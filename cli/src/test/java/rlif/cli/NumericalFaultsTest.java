package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.DecoderOptions;
import rlif.models.arch.Decoders;
import rlif.models.arch.HfConfig;
import rlif.models.arch.ModelDirectoryWriter;
import rlif.models.arch.WeightSource;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;
import rlif.models.tokenizer.CharTokenizerFiles;
import rlif.trainer.checkpoint.TrainerState;
import rlif.trainer.init.RandomLlama;

/**
 * Numerical faults injected into a real ONNX decoder: the embedding row of {@code '~'} is NaN, so every prompt
 * holding it yields NaN logits, and the final norm gain is zero, so finite rows give all-zero logits whose
 * greedy pick (the scalar kernel's first maximum) is {@code <pad>}: a completion with no text that runs to
 * {@code --max-new-tokens}; sampled at temperature 1 the same rows draw uniformly. With a
 * reference that cannot be parsed beside them, {@code rlif score} finishes, marks each row with its reason and
 * counts each kind in {@code summary.json}. {@code rlif train} refuses such weights up front, and a run whose every
 * step was skipped fails saying so.
 */
class NumericalFaultsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void poisonedModel() throws IOException {
        model = writePoisoned(tmp.resolve("poisoned"), "~");
    }

    /** A tiny random llama with the char tokenizer, the embedding row of {@code nanChar} NaN, the final norm zero. */
    static Path writePoisoned(Path dir, String nanChar) throws IOException {
        int hidden = 16;
        RandomLlama.Spec spec = new RandomLlama.Spec(CharTokenizerFiles.vocabSize(), hidden, 32, 1, 2, 1, 128, 10000.0,
                0.1, CharTokenizerFiles.BOS_ID, List.of(CharTokenizerFiles.EOS_ID), CharTokenizerFiles.PAD_ID);
        Map<String, Tensor> w = new LinkedHashMap<>(RandomLlama.weights(spec, 1));
        float[] embed = w.get("model.embed_tokens.weight").toFloats();
        int poisoned = 4 + CharTokenizerFiles.alphabet().indexOf(nanChar);
        Arrays.fill(embed, poisoned * hidden, (poisoned + 1) * hidden, Float.NaN);
        w.put("model.embed_tokens.weight", Tensor.ofFloats("model.embed_tokens.weight",
                new long[] {spec.vocabSize(), hidden}, embed));
        w.put("model.norm.weight", Tensor.ofFloats("model.norm.weight", new long[] {hidden}, new float[hidden]));
        DecoderConfig config = HfConfig.parse(RandomLlama.configJson(spec), "poisoned config");
        Path tok = Files.createDirectories(dir.resolveSibling("tok-" + dir.getFileName()));
        CharTokenizerFiles.write(tok);
        ModelDirectoryWriter.of(config, Decoders.build(config, WeightSource.of(w, "poisoned weights"),
                DecoderOptions.inference(DType.F32))).tokenizerFrom(tok).write(dir);
        return dir;
    }

    @Test
    void nanLogitsEmptyCompletionsLengthStopsAndUnparsableReferencesAreRowsWithReasonsAndCounts() throws IOException {
        Path data = tmp.resolve("faults.jsonl");
        Files.writeString(data, String.join("\n",
                "{\"prompt\": \"compute 1+2\", \"answer\": \"#### 3\"}",
                "{\"prompt\": \"compute 4~5\", \"answer\": \"#### 9\"}",
                "{\"prompt\": \"compute 6+1\", \"answer\": \"#### \"}",
                "{\"prompt\": \"~\", \"answer\": \"7\"}") + "\n");
        for (String temperature : List.of("0", "1.0")) {
            Path out = tmp.resolve("score-t" + temperature);
            int code = Rlif.execute("score", "--model", model.toString(), "--data", data.toString(), "--out",
                    out.toString(), "--temperature", temperature, "--samples", "2", "--max-new-tokens", "4",
                    "--batch-size", "8", "--kernels", "scalar");
            assertThat(code).as("rlif score exit code").isZero();
            List<JsonNode> rows = new ArrayList<>();
            for (String line : Files.readAllLines(out.resolve("rollouts.jsonl"))) {
                rows.add(JSON.readTree(line));
            }
            assertThat(rows).hasSize(8);
            for (JsonNode r : rows) {
                int p = r.get("prompt_index").asInt();
                if (p == 1 || p == 3) {
                    assertThat(r.get("finish_reason").asText()).as("row %s", r).isEqualTo("non_finite");
                    assertThat(r.get("num_tokens").asInt()).isZero();
                    assertThat(r.get("token_entropy").isNull()).as("no signal from NaN logits").isTrue();
                } else {
                    assertThat(r.get("token_entropy").isNumber()).as("finite rows keep their signals").isTrue();
                    if (temperature.equals("0")) {
                        assertThat(r.get("finish_reason").asText()).as("row %s", r).isEqualTo("length");
                        assertThat(r.get("num_tokens").asInt()).isEqualTo(4);
                        assertThat(r.get("completion").asText()).as("<pad> decodes to nothing").isEmpty();
                    }
                }
            }
            long blank = rows.stream().filter(r -> r.get("completion").asText().isBlank()).count();
            assertThat(rows.stream().filter(r -> r.get("prompt_index").asInt() == 2))
                    .allSatisfy(r -> assertThat(r.get("reference").isNull() && r.get("correct").isNull()).as("row %s", r).isTrue());
            JsonNode counts = JSON.readTree(out.resolve("summary.json").toFile()).get("counts");
            // sampled rows may draw '~' themselves and meet NaN a step later: counted like the rest
            long nonFinite = rows.stream().filter(r -> r.get("finish_reason").asText().equals("non_finite")).count();
            assertThat(nonFinite).isGreaterThanOrEqualTo(4);
            assertThat(counts.get("finish_non_finite").asLong()).isEqualTo(nonFinite);
            assertThat(counts.get("finish_length").asInt() + counts.get("finish_eos").asInt()).isEqualTo(8 - nonFinite);
            assertThat(counts.get("empty_completions").asLong()).isEqualTo(blank);
            if (temperature.equals("0")) {
                assertThat(nonFinite).isEqualTo(4);
                assertThat(counts.get("finish_length").asInt()).isEqualTo(4);
                assertThat(blank).isEqualTo(8);
            }
            assertThat(counts.get("ungraded").asInt()).isEqualTo(2);
            assertThat(counts.get("graded").asInt()).isEqualTo(6);
        }
    }

    @Test
    void trainingFromNonFiniteWeightsIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path start = writePoisoned(tmp.resolve("poisoned-eq"), "=");
        Path cfg = tmp.resolve("sft.yaml");
        Files.writeString(cfg, """
                seed: 1
                objective: sft
                model: %s
                trainable: {full: true}
                data: {source: "arith:level=1"}
                sft: {max_steps: 2, batch_size: 2, max_length: 48}
                eval: {limit: 2, max_new_tokens: 4, batch_size: 2}
                """.formatted(start));
        Path out = tmp.resolve("train-poisoned");
        CliRun run = CliRun.of("train", "--config", cfg.toString(), "--out", out.toString(), "--threads", "1");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).singleElement().asString().contains(start.toString())
                .contains("weight model.embed_tokens.weight has 16 non-finite values");
        assertThat(out).as("nothing written").doesNotExist();
    }

    @Test
    void aRunWhoseEveryStepWasSkippedSaysSoAndFails() throws IOException {
        // a random tiny model never answers an arith problem correctly: every group's verifiable reward is 0, so
        // every advantage is 0 and every step is skipped as a zero gradient
        Path cfg = tmp.resolve("flat.yaml");
        Files.writeString(cfg, """
                seed: 1
                objective: grpo
                init: {tokenizer: char, hidden_size: 16, intermediate_size: 32, num_layers: 1, num_heads: 2, num_kv_heads: 1}
                trainable: {full: true}
                data: {source: "arith:level=1"}
                grpo: {max_steps: 2, prompts_per_step: 2, num_generations: 2, max_completion_length: 4,
                       reward: {verifiable: 1.0}, save_steps: 1}
                eval: {limit: 2, max_new_tokens: 4, batch_size: 2}
                """);
        Path out = tmp.resolve("train-flat");
        CliRun run = CliRun.of("train", "--config", cfg.toString(), "--out", out.toString(), "--threads", "1");
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.errorLines()).singleElement().asString()
                .contains("every one of the 2 steps was skipped (zero gradient)").contains("metrics.jsonl");
        List<JsonNode> steps = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode row = JSON.readTree(line);
            if (!row.has("eval") && !row.has("gate")) {
                steps.add(row);
            }
        }
        assertThat(JSON.readTree(Files.readAllLines(out.resolve("metrics.jsonl")).getLast()).get("optimised").asBoolean())
                .as("the closing gate row").isFalse();
        assertThat(steps).hasSize(2).allSatisfy(r -> {
            assertThat(r.get("skipped").asText()).isEqualTo("zero gradient");
            assertThat(r.get("frac_reward_zero_std").asDouble()).isEqualTo(1.0);
        });
        assertThat(Files.readAllBytes(out.resolve("checkpoints/step-2/" + TrainerState.PARAMS_FILE)))
                .as("the weights never moved").isEqualTo(Files.readAllBytes(out.resolve("checkpoints/step-1/"
                        + TrainerState.PARAMS_FILE)));
    }
}
