package rlif.models.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.graph.GraphBuilder;
import rlif.models.onnx.OnnxModel;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/** A written model directory reads back with identical tensors, complete configs and the tokenizer, and runs from disk. */
class ModelDirectoryWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static Path sharedFixture(String name) {
        String shared = System.getProperty("rlif.shared.dir");
        Path dir = shared == null ? null : Path.of(shared, "fixtures", "ort-genai", name);
        if (dir == null || !Files.isDirectory(dir)) {
            fail("../shared is missing: expected the shared fixtures at " + dir + " (system property rlif.shared.dir)");
        }
        return dir;
    }

    private void roundTrip(TinyCheckpoints.Variant variant, DType dtype) throws Exception {
        DecoderConfig config = variant.config();
        Map<String, Tensor> weights = TinyCheckpoints.weights(config, 21);
        GraphBuilder graph = Decoders.build(config, WeightSource.of(weights, "test"), DecoderOptions.inference(dtype));
        Path tokenizer = sharedFixture("tiny-random-llama-fp16");
        Path out = tmp.resolve("model-" + variant + "-" + dtype);
        Files.createDirectories(out);
        Files.writeString(out.resolve("stale.txt"), "from an earlier write");
        ModelDirectoryWriter.of(config, graph).tokenizerFrom(tokenizer).provenance("source", "random test weights")
                .provenance("format", "safetensors").write(out);

        assertThat(out.resolve("stale.txt")).doesNotExist();
        try (var siblings = Files.list(tmp)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
        }
        assertThat(Files.readString(out.resolve("config.json"))).isEqualTo(config.configJson());
        assertThat(Files.readAllBytes(out.resolve("tokenizer.json"))).isEqualTo(Files.readAllBytes(tokenizer.resolve("tokenizer.json")));
        assertThat(out.resolve("model.onnx.data")).exists();
        JsonNode genai = JSON.readTree(out.resolve("genai_config.json").toFile()).path("model");
        assertThat(genai.path("type").asText()).isEqualTo(config.modelType());
        assertThat(genai.path("decoder").path("filename").asText()).isEqualTo("model.onnx");
        assertThat(genai.path("decoder").path("num_key_value_heads").asInt()).isEqualTo(config.numKvHeads());
        assertThat(genai.path("decoder").path("head_size").asInt()).isEqualTo(config.headDim());
        assertThat(genai.path("decoder").path("inputs").path("past_key_names").asText()).isEqualTo("past_key_values.%d.key");
        JsonNode rlif = JSON.readTree(out.resolve("rlif.json").toFile());
        assertThat(rlif.path("architecture").asText()).isEqualTo(config.modelType());
        assertThat(rlif.path("dtype").asText()).isEqualTo(dtype == DType.F16 ? "float16" : "float32");
        assertThat(rlif.path("provenance").path("source").asText()).isEqualTo("random test weights");
        JsonNode gen = JSON.readTree(out.resolve("generation_config.json").toFile());
        assertThat(gen.has("eos_token_id")).isTrue();
        assertThat(HfConfig.read(out.resolve("config.json"))).isEqualTo(config);

        // identical tensors: the file's initializers, and the weights rebuilt through OnnxWeightSource
        try (OnnxModel m = OnnxModel.read(out.resolve("model.onnx"))) {
            var back = m.initializers();
            for (var e : graph.initializers().entrySet()) {
                assertThat(back.get(e.getKey()).data()).as(e.getKey()).isEqualTo(e.getValue().data());
            }
        }
        OnnxWeightSource reread = OnnxWeightSource.open(out);
        assertThat(reread.names()).containsExactlyInAnyOrderElementsOf(weights.keySet());
        GraphBuilder rebuilt = Decoders.build(config, reread, DecoderOptions.inference(dtype));
        assertThat(rebuilt.initializers().keySet()).containsExactlyElementsOf(graph.initializers().keySet());
        for (var e : graph.initializers().entrySet()) {
            assertThat(rebuilt.initializers().get(e.getKey()).data()).as(e.getKey()).isEqualTo(e.getValue().data());
        }
        if (dtype == DType.F32) {
            for (var e : weights.entrySet()) {
                assertThat(reread.get(e.getKey()).data()).as(e.getKey()).isEqualTo(e.getValue().data());
            }
        }

        // the directory runs under ORT from disk and gives the in-memory graph's logits
        try (DecoderSession mem = new DecoderSession(graph, config, dtype, true);
                DecoderSession disk = new DecoderSession(out.resolve("model.onnx"), config, dtype)) {
            mem.reset(2);
            disk.reset(2);
            float[][][] a = mem.step(DecoderVsReferenceTest.IDS, DecoderVsReferenceTest.MASK, DecoderVsReferenceTest.POS);
            float[][][] b = disk.step(DecoderVsReferenceTest.IDS, DecoderVsReferenceTest.MASK, DecoderVsReferenceTest.POS);
            assertThat(b).isDeepEqualTo(a);
        }
    }

    @Test
    void untiedLlamaFloat32RoundTrips() throws Exception {
        roundTrip(TinyCheckpoints.Variant.LLAMA_GQA, DType.F32);
    }

    @Test
    void tiedQwen2Float16RoundTrips() throws Exception {
        roundTrip(TinyCheckpoints.Variant.QWEN2_BIASES, DType.F16);
    }

    @Test
    void gpt2RoundTrips() throws Exception {
        roundTrip(TinyCheckpoints.Variant.GPT2, DType.F32);
    }
    @Test
    void aTokenizerFileSymlinkedOutOfItsFolderIsRefusedAndNothingIsWritten() throws Exception {
        DecoderConfig config = TinyCheckpoints.Variant.values()[0].config();
        GraphBuilder graph = Decoders.build(config, WeightSource.of(TinyCheckpoints.weights(config, 3), "test"),
                DecoderOptions.inference(DType.F32));
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "not a tokenizer");
        Path tokenizerDir = Files.createDirectories(tmp.resolve("downloaded"));
        Files.createSymbolicLink(tokenizerDir.resolve("tokenizer.json"), secret);
        Path out = tmp.resolve("model");
        assertThatThrownBy(() -> ModelDirectoryWriter.of(config, graph).tokenizerFrom(tokenizerDir).write(out))
                .isInstanceOf(rlif.models.BadInputException.class)
                .hasMessageContaining("tokenizer file 'tokenizer.json' leaves the model directory");
        assertThat(out).doesNotExist();
    }
}
