package rlif.models.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rlif.models.graph.GraphBuilder;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * The decoder with ONNX Runtime's fused {@code GroupQueryAttention} ({@link DecoderOptions#groupQueryAttention}) gives
 * the standard-op decoder's logits and cache on every real position of a left-padded batch: prefill, token-by-token
 * decoding, and a chunk of several tokens on top of the cache (one row: ONNX Runtime refuses it for more, which is
 * pinned too). Architectures with head sizes ONNX Runtime's kernel takes (multiples of 16): grouped KV heads, llama3
 * rope scaling, Qwen3's q/k norms, Qwen2's biases with a sliding window on one layer, Mistral's window on all.
 *
 * <p>Tolerance 5e-5 absolute, as {@link CachedDecodingTest}: both graphs are float32 and differ in summation order
 * only (the operator scales the scores inside its GEMM and sums its softmax in its own order); seen below 2e-6.
 * Padding positions are not compared: their queries see only padding, and the two graphs spread that attention
 * differently (no real position ever reads it).
 */
class GroupQueryAttentionTest {
    static final double TOL = 5e-5;

    /** The variant with 16-wide heads (its own head_dim where it has one). */
    static DecoderConfig sixteenWide(TinyCheckpoints.Variant variant) {
        String json = variant.json.contains("\"head_dim\"") ? variant.json
                : variant.json.replaceFirst("\\{", "{\"head_dim\":16,");
        return HfConfig.parse(json, variant.name() + "/config.json");
    }

    @ParameterizedTest
    @EnumSource(value = TinyCheckpoints.Variant.class, names = {"LLAMA_GQA", "LLAMA3_ROPE_SCALING", "QWEN3_QK_NORM",
            "QWEN2_SLIDING_UPPER_LAYER", "MISTRAL"})
    void fusedAttentionGivesTheStandardDecodersLogitsAndCacheOnPaddedRows(TinyCheckpoints.Variant variant)
            throws Exception {
        DecoderConfig config = sixteenWide(variant);
        Map<String, Tensor> weights = TinyCheckpoints.weights(config, 11);
        WeightSource source = WeightSource.of(weights, variant.name());
        GraphBuilder standard = Decoders.build(config, source, DecoderOptions.inference(DType.F32));
        GraphBuilder fused = Decoders.build(config, source, DecoderOptions.inference(DType.F32).withGroupQueryAttention());
        assertThat(count(fused, "GroupQueryAttention")).isEqualTo(config.numLayers());
        assertThat(count(standard, "GroupQueryAttention")).isZero();

        // three rows left-padded by 0, 2 and 3 to a prompt of 5, then 4 tokens one at a time
        int width = 5;
        int[] pads = {0, 2, 3};
        long[][] tokens = {{3, 14, 15, 9, 26, 53, 58, 9, 7}, {0, 0, 26, 53, 5, 31, 2, 40, 11}, {0, 0, 0, 8, 41, 4, 4, 17, 6}};
        double worst = 0;
        try (DecoderSession a = new DecoderSession(standard, config, DType.F32, true);
                DecoderSession b = new DecoderSession(fused, config, DType.F32, true)) {
            a.reset(3);
            b.reset(3);
            for (int end = width; end <= tokens[0].length; end++) {
                int start = end == width ? 0 : end - 1;
                long[][] ids = new long[3][end - start];
                long[][] pos = new long[3][end - start];
                long[][] mask = new long[3][end];
                for (int r = 0; r < 3; r++) {
                    for (int c = 0; c < end; c++) {
                        mask[r][c] = c < pads[r] ? 0 : 1;
                    }
                    for (int c = start; c < end; c++) {
                        ids[r][c - start] = tokens[r][c];
                        pos[r][c - start] = c < pads[r] ? 1 : c - pads[r];
                    }
                }
                float[][][] want = a.step(ids, mask, pos);
                float[][][] got = b.step(ids, mask, pos);
                for (int r = 0; r < 3; r++) {
                    for (int c = start; c < end; c++) {
                        if (c >= pads[r]) {
                            worst = Math.max(worst, maxDiff(want[r][c - start], got[r][c - start]));
                        }
                    }
                }
                worst = Math.max(worst, cacheDiff(a, b, config, pads, end));
            }
        }
        worst = Math.max(worst, chunkOnTopOfTheCache(config, standard, fused));
        System.out.printf("%s GroupQueryAttention vs standard attention: max abs diff %.2e%n", variant, worst);
        assertThat(worst).isLessThan(TOL);
    }

    /** One row: a 4-token prompt, then 3 tokens in one run on top of its cache. */
    private static double chunkOnTopOfTheCache(DecoderConfig config, GraphBuilder standard, GraphBuilder fused)
            throws OrtException {
        double worst = 0;
        try (DecoderSession a = new DecoderSession(standard, config, DType.F32, true);
                DecoderSession b = new DecoderSession(fused, config, DType.F32, true)) {
            a.reset(1);
            b.reset(1);
            int done = 0;
            for (long[] run : new long[][] {{5, 9, 2, 33}, {12, 7, 40}}) {
                long[][] pos = new long[1][run.length];
                long[][] mask = new long[1][done + run.length];
                java.util.Arrays.fill(mask[0], 1);
                for (int j = 0; j < run.length; j++) {
                    pos[0][j] = done + j;
                }
                float[][][] want = a.step(new long[][] {run}, mask, pos);
                float[][][] got = b.step(new long[][] {run}, mask, pos);
                for (int j = 0; j < run.length; j++) {
                    worst = Math.max(worst, maxDiff(want[0][j], got[0][j]));
                }
                done += run.length;
            }
        }
        return worst;
    }

    @Test
    void severalTokensOnTopOfTheCacheForMoreThanOneRowAreRefusedByOnnxRuntime() throws Exception {
        DecoderConfig config = sixteenWide(TinyCheckpoints.Variant.LLAMA_GQA);
        GraphBuilder fused = Decoders.build(config, WeightSource.of(TinyCheckpoints.weights(config, 3), "w"),
                DecoderOptions.inference(DType.F32).withGroupQueryAttention());
        try (DecoderSession s = new DecoderSession(fused, config, DType.F32, true)) {
            s.reset(2);
            s.step(new long[][] {{3, 4}, {5, 6}}, new long[][] {{1, 1}, {1, 1}}, new long[][] {{0, 1}, {0, 1}});
            assertThatThrownBy(() -> s.step(new long[][] {{7, 8}, {9, 10}}, new long[][] {{1, 1, 1, 1}, {1, 1, 1, 1}},
                    new long[][] {{2, 3}, {2, 3}}))
                    .isInstanceOf(OrtException.class).hasMessageContaining("batch_size must be 1");
        }
    }

    @Test
    void headSizesTheKernelRefusesKeepTheStandardAttention() {
        DecoderConfig eightWide = TinyCheckpoints.Variant.LLAMA_GQA.config();
        assertThat(((LlamaConfig) eightWide).headDim()).isEqualTo(8);
        GraphBuilder g = Decoders.build(eightWide, WeightSource.of(TinyCheckpoints.weights(eightWide, 3), "w"),
                DecoderOptions.inference(DType.F32).withGroupQueryAttention());
        assertThat(count(g, "GroupQueryAttention")).isZero();
        assertThat(count(g, "Softmax")).isEqualTo(eightWide.numLayers());
    }

    @Test
    void fusedAttentionNeedsTheFloat32DecoderWithACache() {
        assertThatThrownBy(() -> new DecoderOptions(DType.F32, false, LayerHooks.DEFAULT).withGroupQueryAttention())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KV cache");
        assertThatThrownBy(() -> DecoderOptions.inference(DType.F16).withGroupQueryAttention())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float32");
    }

    private static long count(GraphBuilder g, String opType) {
        return g.nodes().stream().filter(n -> n.opType().equals(opType)).count();
    }

    private static double maxDiff(float[] x, float[] y) {
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    /** Largest difference of the two sessions' cached keys and values over the rows' real columns. */
    private static double cacheDiff(DecoderSession a, DecoderSession b, DecoderConfig config, int[] pads, int columns) {
        double m = 0;
        int d = config.headDim();
        for (int i = 0; i < 2 * config.numLayers(); i++) {
            float[] x = a.cache(i);
            float[] y = b.cache(i);
            for (int r = 0; r < pads.length; r++) {
                for (int h = 0; h < config.numKvHeads(); h++) {
                    for (int c = pads[r]; c < columns; c++) {
                        int at = ((r * config.numKvHeads() + h) * columns + c) * d;
                        for (int e = 0; e < d; e++) {
                            m = Math.max(m, Math.abs(x[at + e] - y[at + e]));
                        }
                    }
                }
            }
        }
        return m;
    }
}
