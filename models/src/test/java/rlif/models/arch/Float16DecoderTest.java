package rlif.models.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * The float16 decoder (float16 weights, activations and KV cache; float32 norms, softmax and logits) tracks
 * the float32 decoder, including across cached steps.
 *
 * <p>Tolerance 0.05 absolute on logits of magnitude up to ~15: float16 keeps 11 significant bits (relative
 * step 4.9e-4 at each rounding), and the weights themselves are rounded, so logits move by about
 * 1e-3..1e-2 for these two-layer models; 0.05 is a few times the observed worst case and still far below
 * the effect of a real bug (whole units).
 */
class Float16DecoderTest {
    static final double TOL = 0.05;

    @ParameterizedTest
    @EnumSource(value = TinyCheckpoints.Variant.class, names = {"LLAMA_GQA", "QWEN2_BIASES", "QWEN3_QK_NORM", "GPT2"})
    void float16LogitsTrackFloat32(TinyCheckpoints.Variant variant) throws Exception {
        DecoderConfig config = variant.config();
        Map<String, Tensor> weights = TinyCheckpoints.weights(config, 3);
        WeightSource source = WeightSource.of(weights, variant.name());
        var f32 = Decoders.build(config, source, DecoderOptions.inference(DType.F32));
        var f16 = Decoders.build(config, source, DecoderOptions.inference(DType.F16));
        assertThat(f16.initializers().values()).allMatch(t -> t.dtype() == DType.F16);
        long[][] ids = DecoderVsReferenceTest.IDS;
        long[][] mask = DecoderVsReferenceTest.MASK;
        long[][] pos = DecoderVsReferenceTest.POS;
        double maxErr = 0;
        try (DecoderSession a = new DecoderSession(f32, config, DType.F32, true);
                DecoderSession b = new DecoderSession(f16, config, DType.F16, true)) {
            a.reset(2);
            b.reset(2);
            maxErr = Math.max(maxErr, maxRealDiff(a.step(ids, mask, pos), b.step(ids, mask, pos), mask));
            long[][] mask2 = {{1, 1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 1}};
            long[][] next = {{12}, {44}};
            long[][] nextPos = {{6}, {4}};
            maxErr = Math.max(maxErr, maxRealDiff(a.step(next, mask2, nextPos), b.step(next, mask2, nextPos), null));
        }
        System.out.printf("%s float16 vs float32: max abs logit diff %.3e%n", variant, maxErr);
        assertThat(maxErr).isLessThan(TOL);
    }

    private static double maxRealDiff(float[][][] x, float[][][] y, long[][] mask) {
        double m = 0;
        for (int b = 0; b < x.length; b++) {
            for (int t = 0; t < x[b].length; t++) {
                if (mask != null && mask[b][t] == 0) {
                    continue;
                }
                for (int v = 0; v < x[b][t].length; v++) {
                    m = Math.max(m, Math.abs(x[b][t][v] - y[b][t][v]));
                }
            }
        }
        return m;
    }
}
