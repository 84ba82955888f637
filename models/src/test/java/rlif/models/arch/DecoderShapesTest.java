package rlif.models.arch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rlif.models.graph.Dim;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Node;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;

/**
 * Every value of the built decoders has a fully known shape (static sizes and named symbols, never "?"),
 * so the trainer's autodiff can tell broadcast axes apart at build time.
 */
class DecoderShapesTest {
    @ParameterizedTest
    @EnumSource(TinyCheckpoints.Variant.class)
    void everyValueShapeIsKnown(TinyCheckpoints.Variant variant) {
        DecoderConfig config = variant.config();
        for (boolean cache : new boolean[] {true, false}) {
            GraphBuilder g = Decoders.build(config, WeightSource.of(TinyCheckpoints.weights(config, 1), "w"),
                    new DecoderOptions(DType.F32, cache, LayerHooks.DEFAULT));
            for (Node n : g.nodes()) {
                for (Value v : n.outputs()) {
                    assertThat(v.shape().dims()).as("%s output %s", n, v).noneMatch(Dim::isUnknown);
                }
            }
            Value logits = g.outputs().stream().filter(v -> v.name().equals("logits")).findFirst().orElseThrow();
            assertThat(logits.shape()).isEqualTo(Shape.parse("batch", "seq", config.vocabSize()));
            assertThat(logits.dtype()).isEqualTo(DType.F32);
        }
    }
}
