package rlif.models.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * Decoding token by token with the KV cache gives the logits of recomputing the whole sequence without a
 * cache (the no-cache graph), and of the Java reference, for a left-padded batch.
 *
 * <p>Tolerance 5e-5 absolute, as in {@link DecoderVsReferenceTest}: both sides are float32 and differ only
 * in summation order (one long matmul vs cache concat), observed ~1e-6.
 */
class CachedDecodingTest {
    static final double TOL = 5e-5;

    @ParameterizedTest
    @EnumSource(value = TinyCheckpoints.Variant.class, names = {"LLAMA_GQA", "QWEN3_QK_NORM", "LLAMA3_ROPE_SCALING", "GPT2", "MISTRAL",
            "QWEN2_SLIDING_UPPER_LAYER"})
    void stepwiseCachedDecodingEqualsFullRecompute(TinyCheckpoints.Variant variant) throws Exception {
        DecoderConfig config = variant.config();
        Map<String, Tensor> weights = TinyCheckpoints.weights(config, 5);
        WeightSource source = WeightSource.of(weights, variant.name());
        var cached = Decoders.build(config, source, DecoderOptions.inference(DType.F32));
        var plain = Decoders.build(config, source, new DecoderOptions(DType.F32, false, LayerHooks.DEFAULT));
        ReferenceDecoder ref = new ReferenceDecoder(config, weights);

        long[][] prompt = {{3, 14, 15, 9}, {0, 0, 26, 53}};
        long[][] generated = {{58, 9, 7}, {31, 2, 40}};
        int steps = generated[0].length;
        double maxVsRecompute = 0, maxVsReference = 0;
        try (DecoderSession dec = new DecoderSession(cached, config, DType.F32, true);
                DecoderSession full = new DecoderSession(plain, config, DType.F32, false)) {
            dec.reset(2);
            dec.step(prompt, new long[][] {{1, 1, 1, 1}, {0, 0, 1, 1}}, new long[][] {{0, 1, 2, 3}, {1, 1, 0, 1}});
            for (int s = 0; s < steps; s++) {
                int total = 4 + s + 1;
                long[][] mask = new long[2][total];
                long[][] ids = new long[2][total];
                long[][] pos = new long[2][total];
                for (int b = 0; b < 2; b++) {
                    int pads = b == 0 ? 0 : 2;
                    for (int t = 0; t < total; t++) {
                        mask[b][t] = t < pads ? 0 : 1;
                        ids[b][t] = t < 4 ? prompt[b][t] : generated[b][t - 4];
                        pos[b][t] = t < pads ? 1 : t - pads;
                    }
                }
                long[][] stepIds = {{generated[0][s]}, {generated[1][s]}};
                long[][] stepPos = {{pos[0][total - 1]}, {pos[1][total - 1]}};
                float[][][] step = dec.step(stepIds, mask, stepPos);
                full.reset(2);
                float[][][] all = full.step(ids, mask, pos);
                for (int b = 0; b < 2; b++) {
                    int pads = b == 0 ? 0 : 2;
                    double[][] expected = ref.logits(java.util.Arrays.copyOfRange(ids[b], pads, total));
                    for (int v = 0; v < config.vocabSize(); v++) {
                        maxVsRecompute = Math.max(maxVsRecompute, Math.abs(step[b][0][v] - all[b][total - 1][v]));
                        maxVsReference = Math.max(maxVsReference, Math.abs(step[b][0][v] - expected[total - pads - 1][v]));
                    }
                }
            }
        }
        System.out.printf("%s cached: max abs diff vs recompute %.2e, vs reference %.2e%n", variant, maxVsRecompute, maxVsReference);
        assertThat(maxVsRecompute).isLessThan(TOL);
        assertThat(maxVsReference).isLessThan(TOL);
    }
}
