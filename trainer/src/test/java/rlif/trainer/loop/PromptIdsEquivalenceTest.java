package rlif.trainer.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.evaluator.data.Problem;
import rlif.evaluator.data.ProblemSource;
import rlif.evaluator.data.ProblemSources;
import rlif.evaluator.prompt.PromptEncoder;
import rlif.evaluator.prompt.PromptFormat;
import rlif.evaluator.testing.Shared;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.DecoderOptions;
import rlif.models.arch.Decoders;
import rlif.models.arch.HfConfig;
import rlif.models.arch.ModelDirectoryWriter;
import rlif.models.arch.WeightSource;
import rlif.models.dir.ModelDirectory;
import rlif.models.importer.CheckpointSource;
import rlif.models.importer.ModelImporter;
import rlif.models.tensor.DType;
import rlif.models.tokenizer.ModelTokenizer;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.data.TrainingData;
import rlif.trainer.init.RandomLlama;

/**
 * A data row becomes the same prompt ids whether {@code rlif score} or {@code rlif train} feeds it to a model, and
 * those are the ids Hugging Face transformers gives ({@code tokenizer(text)} for plain prompts,
 * {@code apply_chat_template(..., add_generation_prompt=True)} for chat): for the ORT-GenAI llama fixture
 * (imported), the GPT-2 fixture's tokenizer, the committed arith models and SmolLM2-135M-Instruct's tokenizer and
 * chat template (from its GGUF, when {@code models/fetch-smollm2.sh} has fetched it). The golden ids come from {@code tools/prompt_ids_golden.py}. SmolLM2's tokenizer adds no bos
 * to plain text; the trainer used to prepend one, which is what this pins.
 */
class PromptIdsEquivalenceTest {
    static JsonNode golden;
    static List<String> texts;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void readGolden() throws IOException {
        try (InputStream in = PromptIdsEquivalenceTest.class.getResourceAsStream("/prompt-ids/golden.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        texts = new ArrayList<>();
        golden.get("rows").forEach(t -> texts.add(t.asText()));
    }

    @Test
    void ortGenAiFixturesGetTheSameIdsInScoreAndTrainAsInTransformers() throws IOException {
        Path llama = tmp.resolve("tiny-random-llama-fp16");
        try (CheckpointSource src = ModelImporter.open("onnx", Shared.fixture("tiny-random-llama-fp16"))) {
            ModelImporter.importModel(src, llama, DType.F32, n -> { });
        }
        check("tiny-random-llama-fp16", llama, List.of(0, 1, 2));
        // the trainer starts from llama-family directories; the GPT-2 fixture's tokenizer rides on a tiny llama
        Path gpt2 = Shared.fixture("tiny-random-gpt2-fp32");
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            files.put(f, Files.readAllBytes(gpt2.resolve(f)));
        }
        check("tiny-random-gpt2-fp32", tinyLlamaWith(files, 50400, "gpt2"), List.of(0, 1, 2));
    }

    @Test
    void arithModelsGetTheSameIdsInScoreAndTrainAsInTransformers() throws IOException {
        // their context (128 positions) holds the arith row, not the GSM8K and MATH questions
        for (String name : List.of("arith-base", "arith-instruct")) {
            check(name, Path.of("..", "models", name), List.of(2));
        }
    }

    @Test
    void smolLm2GetsTheSameIdsInScoreAndTrainAsInTransformers() throws IOException {
        Path gguf = Path.of(System.getProperty("rlif.smollm2.gguf", "../models/.cache/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"));
        assumeTrue(Files.isRegularFile(gguf), "SmolLM2 GGUF not present at " + gguf.toAbsolutePath()
                + "; run models/fetch-smollm2.sh to enable this test");
        // its tokenizer (and chat template) as the GGUF import writes them, on tiny weights of its vocabulary size
        Map<String, byte[]> files;
        try (CheckpointSource src = ModelImporter.open("gguf", gguf)) {
            files = src.tokenizerFiles();
        }
        check("smollm2-135m-instruct", tinyLlamaWith(files, 49152, "smollm2"), List.of(0, 1, 2));
    }

    /** A tiny random llama of {@code vocab} tokens carrying the given tokenizer files (eos 2, as both models have). */
    private static Path tinyLlamaWith(Map<String, byte[]> tokenizer, int vocab, String name) {
        RandomLlama.Spec spec = new RandomLlama.Spec(vocab, 8, 16, 1, 2, 1, 2048, 10000, 0.02, null, List.of(2), null);
        DecoderConfig c = HfConfig.parse(RandomLlama.configJson(spec), name);
        ModelDirectoryWriter w = ModelDirectoryWriter.of(c, Decoders.build(c,
                WeightSource.of(RandomLlama.weights(spec, 1), name), DecoderOptions.inference(DType.F32)));
        tokenizer.forEach(w::file);
        Path dir = tmp.resolve(name + "-tiny");
        w.write(dir);
        return dir;
    }

    /** For each prompt format the model's golden file has: trainer ids == score ids == transformers' ids. */
    private static void check(String name, Path model, List<Integer> rows) throws IOException {
        JsonNode want = golden.path("models").path(name);
        assertThat(want.isObject()).as("golden ids for " + name).isTrue();
        Path data = tmp.resolve(name + "-rows.jsonl");
        StringBuilder jsonl = new StringBuilder();
        for (int r : rows) {
            ObjectNode row = new ObjectMapper().createObjectNode();
            row.put("question", texts.get(r));
            row.put("answer", "#### 1");
            jsonl.append(row).append('\n');
        }
        Files.writeString(data, jsonl.toString());
        List<Problem> problems = new ArrayList<>();
        try (ProblemSource.Problems it = ProblemSources.of(data.toString()).open()) {
            it.forEachRemaining(problems::add);
        }
        for (String format : List.of("plain", "chat")) {
            if (!want.has(format)) {
                continue;
            }
            TrainConfig cfg = config(name, model, data, format);
            List<int[]> trainer = new ArrayList<>();
            try (StartingModel m = StartingModel.open(model.toAbsolutePath(), cfg, TrainingData.open(cfg))) {
                for (Problem p : problems) {
                    trainer.add(m.promptIds(p));
                }
            }
            List<int[]> score = new ArrayList<>();
            ModelDirectory dir = ModelDirectory.open(model);
            try (ModelTokenizer tok = dir.openTokenizer()) {
                PromptEncoder encoder = PromptEncoder.of(dir, PromptFormat.valueOf(format.toUpperCase()), tok, 16,
                        PromptEncoder.Labels.SCORE);
                for (Problem p : problems) {
                    score.add(encoder.encode(p));
                }
            }
            for (int i = 0; i < rows.size(); i++) {
                int[] expected = new ObjectMapper().convertValue(want.get(format).get(rows.get(i)), int[].class);
                String what = name + " " + format + " row " + rows.get(i);
                assertThat(score.get(i)).as(what + ": score vs transformers").containsExactly(expected);
                assertThat(trainer.get(i)).as(what + ": train vs score").containsExactly(score.get(i));
            }
        }
    }

    /** A GRPO run on {@code model} whose held-out rows are {@code data} (training draws arith problems). */
    private static TrainConfig config(String name, Path model, Path data, String format) throws IOException {
        Path cfg = tmp.resolve(name + "-" + format + ".yaml");
        Files.writeString(cfg, """
                objective: grpo
                model: %s
                data: {source: "arith:level=1", eval_source: %s, prompt_format: %s}
                eval: {max_new_tokens: 16}
                grpo: {max_steps: 1, prompts_per_step: 1, num_generations: 2, max_completion_length: 16,
                       reward: {self_certainty: 1.0}}
                """.formatted(model.toAbsolutePath(), data, format));
        return TrainConfig.read(cfg);
    }
}
