package rlif.models.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import rlif.models.BadInputException;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/** Weight mapping errors are caught at build time by name; hooks can turn weights into graph inputs (the trainer's route). */
class DecoderWeightsTest {
    private final DecoderConfig config = TinyCheckpoints.Variant.LLAMA_GQA.config();

    @Test
    void missingWrongShapedAndUnusedTensorsAreNamed() {
        Map<String, Tensor> w = new LinkedHashMap<>(TinyCheckpoints.weights(config, 1));
        w.remove("model.layers.1.mlp.up_proj.weight");
        assertThatThrownBy(() -> Decoders.build(config, WeightSource.of(w, "ckpt"), DecoderOptions.inference(DType.F32)))
                .isInstanceOf(BadInputException.class).hasMessageContaining("ckpt: missing tensor model.layers.1.mlp.up_proj.weight");

        Map<String, Tensor> w2 = new LinkedHashMap<>(TinyCheckpoints.weights(config, 1));
        w2.put("model.layers.0.self_attn.k_proj.weight", Tensor.ofFloats("k", new long[] {32, 32}, new float[32 * 32]));
        assertThatThrownBy(() -> Decoders.build(config, WeightSource.of(w2, "ckpt"), DecoderOptions.inference(DType.F32)))
                .isInstanceOf(BadInputException.class).hasMessageContaining("model.layers.0.self_attn.k_proj.weight has shape [32, 32]")
                .hasMessageContaining("[16, 32]");

        Map<String, Tensor> w3 = new LinkedHashMap<>(TinyCheckpoints.weights(config, 1));
        w3.put("model.layers.0.self_attn.q_norm.weight", Tensor.ofFloats("n", new long[] {8}, new float[8]));
        assertThatThrownBy(() -> Decoders.build(config, WeightSource.of(w3, "ckpt"), DecoderOptions.inference(DType.F32)))
                .isInstanceOf(BadInputException.class).hasMessageContaining("does not use").hasMessageContaining("q_norm");
    }

    @Test
    void hooksCanFeedWeightsAsGraphInputs() throws Exception {
        Map<String, Tensor> weights = TinyCheckpoints.weights(config, 2);
        LayerHooks asInputs = new LayerHooks() {
            @Override
            public Value parameter(GraphBuilder g, String onnxName, String hfName, Tensor t) {
                return hfName.contains("q_proj") ? g.input(onnxName, t.dtype(), Shape.of(t.shape())) : g.initializer(onnxName, t);
            }
        };
        GraphBuilder g = Decoders.build(config, WeightSource.of(weights, "ckpt"), new DecoderOptions(DType.F32, false, asInputs));
        assertThat(g.inputs().stream().map(Value::name)).contains("model.layers.0.self_attn.q_proj.weight.T");
        assertThat(g.initializers().keySet()).noneMatch(n -> n.contains("q_proj"));
        assertThat(g.nodes()).isNotEmpty();
    }
}
