package rlif.models.arch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import rlif.models.onnx.OnnxModel;
import rlif.models.tensor.DType;

/**
 * ONNX Runtime's optimiser recognises the float32 decoders' norm and activation expansions and replaces each
 * with one fused kernel (a structural property of the built graph; the speed itself is measured in bench/).
 */
class OrtFusionTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({
        "LLAMA_GQA, SimplifiedLayerNormalization, 5, QuickGelu, 2",
        "QWEN3_QK_NORM, SimplifiedLayerNormalization, 9, QuickGelu, 2",
        "GPT2, LayerNormalization, 5, FastGelu, 2",
        "GPT2_ERF_GELU, LayerNormalization, 5, BiasGelu, 2"}) // Gelu then absorbs the c_fc bias Add
    void normsAndActivationsAreFused(String variant, String norm, int norms, String act, int acts) throws Exception {
        DecoderConfig c = TinyCheckpoints.Variant.valueOf(variant).config();
        var g = Decoders.build(c, WeightSource.of(TinyCheckpoints.weights(c, 1), "w"), DecoderOptions.inference(DType.F32));
        Path optimized = tmp.resolve("optimized.onnx");
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizedModelFilePath(optimized.toString());
            OrtEnvironment.getEnvironment().createSession(g.toModel().toByteArray(), so).close();
        }
        Map<String, Integer> ops = new TreeMap<>();
        try (OnnxModel m = OnnxModel.read(optimized)) {
            m.proto().getGraph().getNodeList().forEach(n -> ops.merge(n.getOpType(), 1, Integer::sum));
        }
        assertThat(ops).as("ops after optimisation").containsEntry(norm, norms).containsEntry(act, acts)
                .doesNotContainKeys("Pow", "Sqrt", "Erf", "Tanh", "Sigmoid");
    }
}
