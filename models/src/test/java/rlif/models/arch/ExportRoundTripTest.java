package rlif.models.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rlif.models.BadInputException;
import rlif.models.exporter.GgufModelWriter;
import rlif.models.exporter.HfFolderWriter;
import rlif.models.gguf.GgmlType;
import rlif.models.importer.CheckpointSource;
import rlif.models.importer.ModelImporter;
import rlif.models.tensor.DType;

/**
 * A transformers checkpoint imported by rlif and exported back (as a Hugging Face folder, sharded; or as GGUF
 * F32/F16/Q8_0) and imported again gives the logits transformers computed for the original (the goldens of
 * {@link TransformersGoldenTest}, same 1e-4 tolerance). {@code tools/interop_check.py roundtrip} loads the same
 * exports with transformers and the gguf reader (seen: 5e-8 for every architecture).
 */
class ExportRoundTripTest {
    @TempDir
    Path tmp;

    private Path imported(String name) {
        Path out = tmp.resolve(name);
        try (CheckpointSource src = ModelImporter.open("safetensors", TransformersGoldenTest.GOLDENS.resolve(name))) {
            ModelImporter.importModel(src, out, DType.F32, n -> {});
        }
        return out;
    }

    private static double logitsVsGolden(Path dir, String format, String name) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(TransformersGoldenTest.GOLDENS.resolve(name).resolve("expected.json").toFile());
        try (CheckpointSource src = ModelImporter.open(format, dir)) {
            DecoderConfig c = HfConfig.parse(src.config().toString(), dir.toString());
            return TransformersGoldenTest.maxDiff(Decoders.build(c, src.weights(), new DecoderOptions(DType.F32, false, LayerHooks.DEFAULT)),
                    c, expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_gqa_tied", "llama3_scaled", "qwen2_sliding", "qwen3", "mistral_sliding", "gpt2"})
    void huggingFaceFolderRoundTripsEveryArchitecture(String name) throws Exception {
        Path dir = imported(name);
        DecoderConfig config = HfConfig.read(dir.resolve("config.json"));
        Path hf = tmp.resolve(name + "-hf");
        HfFolderWriter.write(config, OnnxWeightSource.open(dir), dir, hf, DType.F32, 4096); // a few KB per shard
        assertThat(hf.resolve("model.safetensors.index.json")).exists();
        assertThat(hf.resolve("tokenizer.json")).exists();
        JsonNode cfg = new ObjectMapper().readTree(hf.resolve("config.json").toFile());
        assertThat(cfg.path("architectures").isArray()).isTrue();
        assertThat(cfg.path("dtype").asText()).isEqualTo("float32");
        double diff = logitsVsGolden(hf, "safetensors", name);
        System.out.printf("%s: hf export re-imported, max |logit - transformers| %.2e%n", name, diff);
        assertThat(diff).isLessThan(TransformersGoldenTest.TOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_gqa_tied", "qwen2", "qwen3"})
    void ggufRoundTripsTheLlamaFamily(String name) throws Exception {
        Path dir = imported(name);
        DecoderConfig config = HfConfig.read(dir.resolve("config.json"));
        for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.Q8_0}) {
            Path g = tmp.resolve(name + "-" + type + ".gguf");
            GgufModelWriter.write(config, OnnxWeightSource.open(dir), dir, g, type);
            double diff = logitsVsGolden(g, "gguf", name);
            // the goldens hold float16 weights and rows of 16/24 values (Q8_0 falls back to F16), so all three are exact
            System.out.printf("%s: gguf %s re-imported, max |logit - transformers| %.2e%n", name, type, diff);
            assertThat(diff).isLessThan(TransformersGoldenTest.TOL);
        }
        Path again = tmp.resolve(name + "-again");
        try (CheckpointSource src = ModelImporter.open("gguf", tmp.resolve(name + "-F16.gguf"))) {
            ModelImporter.importModel(src, again, DType.F32, n -> {});
        }
        assertThat(Files.readString(again.resolve("tokenizer.json"))).as("the tokenizer travels through GGUF")
                .contains("\"ab\"");
    }

    @Test
    void whatGgufCannotCarryIsRefusedByName() {
        for (String[] c : new String[][] {{"gpt2", "llama family"}, {"mistral_sliding", "sliding-window"},
                {"llama3_scaled", "rope scaling 'llama3'"}}) {
            Path dir = imported(c[0]);
            DecoderConfig config = HfConfig.read(dir.resolve("config.json"));
            assertThatThrownBy(() -> GgufModelWriter.write(config, OnnxWeightSource.open(dir), dir, tmp.resolve(c[0] + ".gguf"),
                    GgmlType.F16)).isInstanceOf(BadInputException.class).hasMessageContaining(c[1]);
        }
    }
}
