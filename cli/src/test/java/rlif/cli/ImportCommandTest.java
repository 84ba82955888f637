package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.safetensors.SafetensorsWriter;
import rlif.models.tensor.Tensor;

/** {@code rlif import} through the real CLI entry point: model directories out, bad inputs as one error line. */
class ImportCommandTest {
    @TempDir
    Path tmp;

    private static Path llamaFixture() {
        return ScoreCommandBadInputTest.shared().resolve("fixtures/ort-genai/tiny-random-llama-fp16");
    }

    private static void assertBadInput(CliRun run, String... fragments) {
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.errorLines()).hasSize(1);
        for (String f : fragments) {
            assertThat(run.errorLines().getFirst()).contains(f);
        }
        assertThat(run.err()).doesNotContain("\tat ");
    }

    /**
     * A Hugging Face folder written here: random float32 llama weights (1 layer, hidden 16, 2 heads), a real
     * llama config.json and the llama fixture's tokenizer.
     */
    private Path safetensorsFolder() throws Exception {
        Path dir = tmp.resolve("hf");
        Files.createDirectories(dir);
        Files.copy(llamaFixture().resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 32000, "hidden_size": 16,
                 "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
                 "hidden_act": "silu", "max_position_embeddings": 128, "rms_norm_eps": 1e-06, "rope_theta": 10000.0,
                 "tie_word_embeddings": true, "bos_token_id": 1, "eos_token_id": 2}""");
        Random r = new Random(5);
        List<Tensor> t = new ArrayList<>();
        t.add(random("model.embed_tokens.weight", r, 32000, 16));
        t.add(ones("model.layers.0.input_layernorm.weight", 16));
        t.add(random("model.layers.0.self_attn.q_proj.weight", r, 16, 16));
        t.add(random("model.layers.0.self_attn.k_proj.weight", r, 8, 16));
        t.add(random("model.layers.0.self_attn.v_proj.weight", r, 8, 16));
        t.add(random("model.layers.0.self_attn.o_proj.weight", r, 16, 16));
        t.add(ones("model.layers.0.post_attention_layernorm.weight", 16));
        t.add(random("model.layers.0.mlp.gate_proj.weight", r, 32, 16));
        t.add(random("model.layers.0.mlp.up_proj.weight", r, 32, 16));
        t.add(random("model.layers.0.mlp.down_proj.weight", r, 16, 32));
        t.add(ones("model.norm.weight", 16));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), t, Map.of("format", "pt"));
        return dir;
    }

    private static Tensor random(String name, Random r, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.3 * r.nextGaussian());
        }
        return Tensor.ofFloats(name, new long[] {rows, cols}, v);
    }

    private static Tensor ones(String name, int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return Tensor.ofFloats(name, new long[] {n}, v);
    }

    @Test
    void safetensorsFolderIsImportedAndScored() throws Exception {
        Path model = tmp.resolve("model");
        var imported = CliRun.of("import", "--from", "safetensors", safetensorsFolder().toString(), "--out", model.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("imported");
        assertThat(imported.err()).contains("import"); // the progress bar
        for (String f : new String[] {"model.onnx", "model.onnx.data", "config.json", "genai_config.json", "rlif.json",
            "generation_config.json", "tokenizer.json"}) {
            assertThat(model.resolve(f)).exists();
        }
        JsonNode rlifJson = new ObjectMapper().readTree(model.resolve("rlif.json").toFile());
        assertThat(rlifJson.path("provenance").path("source_format").asText()).isEqualTo("safetensors");

        Path data = tmp.resolve("data.jsonl");
        Files.writeString(data, "{\"question\": \"What is 2 + 3?\", \"answer\": \"#### 5\"}\n"
                + "{\"question\": \"What is 7 - 4?\", \"answer\": \"#### 3\"}\n");
        Path scores = tmp.resolve("scores");
        var scored = CliRun.of("score", "--model", model.toString(), "--data", data.toString(), "--out", scores.toString(),
                "--max-new-tokens", "4", "--temperature", "0");
        assertThat(scored.code()).as(scored.err()).isZero();
        assertThat(Files.readAllLines(scores.resolve("rollouts.jsonl"))).hasSize(2);
    }

    @Test
    void safetensorsFolderImportedAsInt4KeepsWholeBlockWidthsQuantizedAndScores() throws Exception {
        Path model = tmp.resolve("int4");
        var imported = CliRun.of("import", "--from", "safetensors", safetensorsFolder().toString(), "--out",
                model.toString(), "--dtype", "int4");
        assertThat(imported.code()).as(imported.err()).isZero();
        // hidden 16: only down_proj (input width 32) is whole blocks; the others stay float32, and the line says so
        assertThat(imported.out()).contains("1 at 4 bits, 0 at 8 bits (accuracy level 4)");
        assertThat(model.resolve("model.onnx")).exists();
        Path data = tmp.resolve("q.jsonl");
        Files.writeString(data, "{\"prompt_ids\": [5, 6, 7], \"answer\": \"1\"}\n");
        Path scores = tmp.resolve("scores-int4");
        var scored = CliRun.of("score", "--model", model.toString(), "--data", data.toString(), "--out", scores.toString(),
                "--max-new-tokens", "4", "--temperature", "0");
        assertThat(scored.code()).as(scored.err()).isZero();
        assertThat(Files.readAllLines(scores.resolve("rollouts.jsonl"))).hasSize(1);
    }

    @Test
    void ortGenAiFolderIsImportedInFloat16() throws Exception {
        Path model = tmp.resolve("fixture-fp16");
        var run = CliRun.of("import", "--from", "onnx", llamaFixture().toString(), "--out", model.toString(), "--dtype", "fp16");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(new ObjectMapper().readTree(model.resolve("rlif.json").toFile()).path("dtype").asText())
                .isEqualTo("float16");
    }

    @Test
    void badInputsExitTwoWithOneErrorLine() throws Exception {
        Path out = tmp.resolve("out");
        assertBadInput(CliRun.of("import", "--from", "tflite", llamaFixture().toString(), "--out", out.toString()), "tflite");
        assertBadInput(CliRun.of("import", "--from", "onnx", llamaFixture().toString(), "--out", out.toString(), "--dtype",
                "int3"), "--dtype int3", "int4");
        assertBadInput(CliRun.of("import", "--from", "onnx", llamaFixture().toString(), "--out", out.toString(), "--dtype",
                "int8", "--accuracy-level", "1"), "--accuracy-level 4");
        assertBadInput(CliRun.of("import", "--from", "gguf", tmp.resolve("missing.gguf").toString(), "--out", out.toString()),
                "missing.gguf");
        Path hostile = tmp.resolve("hostile.gguf");
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0x46554747).putInt(3)
                .putLong(Long.MAX_VALUE).putLong(0);
        Files.write(hostile, b.array());
        assertBadInput(CliRun.of("import", "--from", "gguf", hostile.toString(), "--out", out.toString()), "hostile.gguf",
                "tensor count");
        Path hostileSt = tmp.resolve("st");
        Files.createDirectories(hostileSt);
        Files.writeString(hostileSt.resolve("config.json"), "{\"model_type\": \"llama\"}");
        Files.write(hostileSt.resolve("model.safetensors"), ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(1L << 40).array());
        assertBadInput(CliRun.of("import", "--from", "safetensors", hostileSt.toString(), "--out", out.toString()),
                "model.safetensors", "header length");
        assertThat(out).doesNotExist();

        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "earlier");
        assertBadInput(CliRun.of("import", "--from", "onnx", llamaFixture().toString(), "--out", out.toString()), "--overwrite");
        assertThat(out.resolve("keep.txt")).hasContent("earlier");
    }
}
