package rlif.models.dir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;
import rlif.models.tensor.DType;

/** Reading both shared fixtures in every layout, and refusing broken or hostile directories clearly. */
class ModelDirectoryTest {

    @Test
    void readsTheGenaiLlamaFp16DecoderFromConfigAndGraph() {
        ModelDirectory dir = ModelDirectory.open(SharedFixtures.llama());
        ModelConfig c = dir.config();
        assertThat(c.layout()).isEqualTo(ModelLayout.ORT_GENAI);
        assertThat(c.architecture()).isEqualTo("llama");
        assertThat(c.layers()).isEqualTo(2);
        assertThat(c.heads()).isEqualTo(1);
        assertThat(c.kvHeads()).isEqualTo(1);
        assertThat(c.headSize()).isEqualTo(16);
        assertThat(c.hidden()).isEqualTo(OptionalInt.of(16));
        assertThat(c.vocab()).isEqualTo(32000);
        assertThat(c.inputIdType()).isEqualTo(DType.I64);
        assertThat(c.kvType()).isEqualTo(DType.F16);
        assertThat(c.logitsType()).isEqualTo(DType.F16);
        assertThat(c.bosId()).isEqualTo(OptionalInt.of(0));
        assertThat(c.eosIds()).isEqualTo(Set.of(1));
        assertThat(c.padId()).isEqualTo(OptionalInt.of(2));
        assertThat(c.files()).extracting(f -> f.path().getFileName().toString(), ModelFile::bytes)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("model.onnx", 35909L),
                        org.assertj.core.groups.Tuple.tuple("model.onnx.data", 2130080L));
        DecoderIo io = dir.io();
        assertThat(io.cacheLayout()).isEqualTo(CacheLayout.SEPARATE);
        assertThat(io.pastInputs()).containsExactly("past_key_values.0.key", "past_key_values.0.value",
                "past_key_values.1.key", "past_key_values.1.value");
        assertThat(io.presentOutputs()).containsExactly("present.0.key", "present.0.value", "present.1.key",
                "present.1.value");
        assertThat(io.positionIds()).contains("position_ids");
    }

    @Test
    void readsTheGenaiGpt2DecoderWithStackedCacheAndInt32Inputs() {
        ModelDirectory dir = ModelDirectory.open(SharedFixtures.gpt2());
        ModelConfig c = dir.config();
        assertThat(c.layout()).isEqualTo(ModelLayout.ORT_GENAI);
        assertThat(c.architecture()).isEqualTo("gpt2");
        assertThat(c.layers()).isEqualTo(5);
        assertThat(c.kvHeads()).isEqualTo(4);
        assertThat(c.heads()).isEqualTo(4);
        assertThat(c.headSize()).isEqualTo(8);
        assertThat(c.vocab()).isEqualTo(1000);
        assertThat(c.inputIdType()).isEqualTo(DType.I32);
        assertThat(c.kvType()).isEqualTo(DType.F32);
        assertThat(c.eosIds()).isEqualTo(Set.of(98));
        assertThat(c.contextLength()).isEqualTo(OptionalInt.of(512));
        assertThat(dir.io().cacheLayout()).isEqualTo(CacheLayout.STACKED);
        assertThat(dir.io().pastInputs()).containsExactly("past_0", "past_1", "past_2", "past_3", "past_4");
        assertThat(dir.io().presentOutputs()).first().isEqualTo("present_0");
    }

    @Test
    void readsAnOptimumDirectoryFromTheGraphAndGenerationConfig(@TempDir Path tmp) throws IOException {
        Path dir = optimumCopy(tmp);
        ModelDirectory model = ModelDirectory.open(dir);
        ModelConfig c = model.config();
        assertThat(c.layout()).isEqualTo(ModelLayout.OPTIMUM);
        assertThat(c.architecture()).isEqualTo("llama");
        assertThat(c.layers()).isEqualTo(2);
        assertThat(c.kvHeads()).isEqualTo(1);
        assertThat(c.headSize()).isEqualTo(16);
        assertThat(c.heads()).isEqualTo(1);
        assertThat(c.vocab()).isEqualTo(32000);
        // config.json says eos 1; generation_config.json adds 2 and sets pad.
        assertThat(c.eosIds()).isEqualTo(Set.of(1, 2));
        assertThat(c.padId()).isEqualTo(OptionalInt.of(0));
        assertThat(c.contextLength()).isEqualTo(OptionalInt.of(2048));
        assertThat(model.io().pastInputs()).hasSize(4);
    }

    @Test
    void readsThisProjectsOwnLayoutWhenRlifJsonIsPresent(@TempDir Path tmp) throws IOException {
        Path dir = optimumCopy(tmp);
        Files.copy(SharedFixtures.llama().resolve("genai_config.json"), dir.resolve("genai_config.json"));
        Files.writeString(dir.resolve("rlif.json"), "{\"architecture\": \"llama-arith\"}");
        ModelConfig c = ModelDirectory.open(dir).config();
        assertThat(c.layout()).isEqualTo(ModelLayout.RLIF);
        assertThat(c.architecture()).isEqualTo("llama-arith");
    }

    @Test
    void refusesAMissingDirectory(@TempDir Path tmp) {
        assertThatThrownBy(() -> ModelDirectory.open(tmp.resolve("nope")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("does not exist");
    }

    @Test
    void refusesAFileGivenAsDirectoryAndADirectoryWithoutDecoder(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> ModelDirectory.open(file))
                .isInstanceOf(BadInputException.class).hasMessageContaining("not a directory");
        assertThatThrownBy(() -> ModelDirectory.open(tmp))
                .isInstanceOf(BadInputException.class).hasMessageContaining("has no decoder");
    }

    @Test
    void refusesATruncatedOnnxFile(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("gpt2"));
        Files.copy(SharedFixtures.gpt2().resolve("genai_config.json"), dir.resolve("genai_config.json"));
        byte[] onnx = Files.readAllBytes(SharedFixtures.gpt2().resolve("past.onnx"));
        Files.write(dir.resolve("past.onnx"), java.util.Arrays.copyOf(onnx, onnx.length / 2));
        assertThatThrownBy(() -> ModelDirectory.open(dir))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("past.onnx")
                .hasMessageContaining("truncated");
    }

    @Test
    void refusesAnUnparsableGenaiConfig(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("gpt2"));
        Files.writeString(dir.resolve("genai_config.json"), "{\"model\": {");
        assertThatThrownBy(() -> ModelDirectory.open(dir))
                .isInstanceOf(BadInputException.class).hasMessageContaining("genai_config.json");
    }

    @Test
    void refusesExternalDataLocationsThatLeaveTheDirectory(@TempDir Path tmp) throws IOException {
        Path up = llamaWithExternalData(tmp.resolve("up"), e -> e.getKey().equals("location")
                ? e.toBuilder().setValue("../model.onnx.data").build() : e);
        assertThatThrownBy(() -> ModelDirectory.open(up))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'..'");
        Path abs = llamaWithExternalData(tmp.resolve("abs"), e -> e.getKey().equals("location")
                ? e.toBuilder().setValue(SharedFixtures.llama().resolve("model.onnx.data").toAbsolutePath().toString()).build() : e);
        assertThatThrownBy(() -> ModelDirectory.open(abs))
                .isInstanceOf(BadInputException.class).hasMessageContaining("absolute path");
    }

    @Test
    void refusesADecoderFilenameOutsideTheDirectory(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("escape"));
        Files.writeString(dir.resolve("genai_config.json"),
                Files.readString(SharedFixtures.gpt2().resolve("genai_config.json")).replace("\"past.onnx\"", "\"../past.onnx\""));
        Files.copy(SharedFixtures.gpt2().resolve("past.onnx"), tmp.resolve("past.onnx"));
        assertThatThrownBy(() -> ModelDirectory.open(dir))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("model.decoder.filename")
                .hasMessageContaining("decoder file '../past.onnx' contains '..'");
    }

    @Test
    void refusesExternalDataBeyondTheEndOfItsFile(@TempDir Path tmp) throws IOException {
        Path far = llamaWithExternalData(tmp.resolve("far"), e -> e.getKey().equals("offset")
                ? e.toBuilder().setValue("2130000").build() : e);
        assertThatThrownBy(() -> ModelDirectory.open(far))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("exceeds the size of")
                .hasMessageContaining("2130080 bytes");
    }

    @Test
    void acceptsTheUntouchedCopyTheHostileCasesStartFrom(@TempDir Path tmp) throws IOException {
        // Guards the two tests above: their copies fail for the edited field, not for copying itself.
        Path same = llamaWithExternalData(tmp.resolve("same"), UnaryOperator.identity());
        assertThat(ModelDirectory.open(same).config().vocab()).isEqualTo(32000);
    }

    /** The llama fixture re-serialised with every external-data entry passed through {@code edit}. */
    private static Path llamaWithExternalData(Path dir, UnaryOperator<OnnxMl.StringStringEntryProto> edit)
            throws IOException {
        Files.createDirectories(dir);
        Path src = SharedFixtures.llama();
        OnnxMl.ModelProto model = OnnxModelFile.parse(src.resolve("model.onnx"));
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        for (OnnxMl.TensorProto.Builder t : graph.getInitializerBuilderList()) {
            if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
                for (int i = 0; i < t.getExternalDataCount(); i++) {
                    t.setExternalData(i, edit.apply(t.getExternalData(i)));
                }
            }
        }
        Files.write(dir.resolve("model.onnx"), model.toBuilder().setGraph(graph).build().toByteArray());
        Files.copy(src.resolve("model.onnx.data"), dir.resolve("model.onnx.data"));
        Files.copy(src.resolve("genai_config.json"), dir.resolve("genai_config.json"));
        return dir;
    }

    /** The llama fixture laid out the Optimum way. */
    private static Path optimumCopy(Path tmp) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("optimum"));
        Path src = SharedFixtures.llama();
        Files.copy(src.resolve("model.onnx"), dir.resolve("model.onnx"));
        Files.copy(src.resolve("model.onnx.data"), dir.resolve("model.onnx.data"));
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "llama", "num_hidden_layers": 2, "num_attention_heads": 1,
                 "num_key_value_heads": 1, "hidden_size": 16, "vocab_size": 32000,
                 "max_position_embeddings": 2048, "bos_token_id": 0, "eos_token_id": 1}
                """);
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [1, 2], \"pad_token_id\": 0}");
        return dir;
    }
}
