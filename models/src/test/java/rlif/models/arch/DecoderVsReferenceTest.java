package rlif.models.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * Each architecture variant's float32 ONNX decoder under ONNX Runtime against the double-precision Java
 * reference, on random weights, with a left-padded batch (the padded row must equal the reference run on
 * its real tokens alone).
 *
 * <p>Tolerance 5e-5 absolute on logits of magnitude ~5-15: float32 rounding (6e-8 relative) accumulates
 * over two layers of dot products of length <= 48 and the softmax; observed errors are 1.6e-6 to 3.8e-6, so
 * 5e-5 leaves headroom for ORT's kernel choices while still catching any real mistake (a wrong rotary
 * half, bias or norm moves logits by >1e-2).
 */
class DecoderVsReferenceTest {
    static final double TOL = 5e-5;

    /** Two rows: one of six tokens, one with two left pads and four tokens. */
    static final long[][] IDS = {{5, 17, 42, 8, 33, 60}, {0, 0, 9, 27, 14, 51}};
    static final long[][] MASK = {{1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}};
    static final long[][] POS = {{0, 1, 2, 3, 4, 5}, {1, 1, 0, 1, 2, 3}};

    @ParameterizedTest
    @EnumSource(TinyCheckpoints.Variant.class)
    void float32GraphMatchesReference(TinyCheckpoints.Variant variant) throws Exception {
        DecoderConfig config = variant.config();
        Map<String, Tensor> weights = TinyCheckpoints.weights(config, 11);
        var graph = Decoders.build(config, WeightSource.of(weights, variant.name()), DecoderOptions.inference(DType.F32));
        ReferenceDecoder ref = new ReferenceDecoder(config, weights);
        double maxErr = 0;
        double maxLogit = 0;
        try (DecoderSession s = new DecoderSession(graph, config, DType.F32, true)) {
            s.reset(2);
            float[][][] logits = s.step(IDS, MASK, POS);
            for (int b = 0; b < 2; b++) {
                int pads = b == 0 ? 0 : 2;
                long[] real = java.util.Arrays.copyOfRange(IDS[b], pads, IDS[b].length);
                double[][] expected = ref.logits(real);
                for (int t = 0; t < real.length; t++) {
                    for (int v = 0; v < config.vocabSize(); v++) {
                        maxErr = Math.max(maxErr, Math.abs(logits[b][pads + t][v] - expected[t][v]));
                        maxLogit = Math.max(maxLogit, Math.abs(expected[t][v]));
                    }
                }
            }
        }
        System.out.printf("%s: max |logit| %.3f, max abs error vs reference %.2e%n", variant, maxLogit, maxErr);
        assertThat(maxLogit).as("random weights give non-trivial logits").isGreaterThan(0.5);
        assertThat(maxErr).isLessThan(TOL);
    }
}
