package rlif.models.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rlif.models.quant.BlockQuantized;

/**
 * GGUF blocks kept as {@code MatMulNBits} blocks hold exactly the floats ggml's dequantization gives (bit for bit),
 * at the bits and block sizes promised, and the Q/K row order is undone on the blocks as on the floats.
 */
class GgufQuantizedTest {
    static final int ROWS = 3;
    static final int COLS = 512;

    static float[] gaussian(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * (1 + (i / 32) % 5) + ((i / 256) % 2 == 0 ? 0.3 : -0.7));
        }
        return x;
    }

    static ReferenceQuantizer quantize(GgmlType t, float[] x) {
        Function<float[], ReferenceQuantizer> q = switch (t) {
            case Q8_0 -> ReferenceQuantizer::q8_0;
            case Q4_0 -> ReferenceQuantizer::q4_0;
            case Q4_1 -> ReferenceQuantizer::q4_1;
            case Q4_K -> ReferenceQuantizer::q4_K;
            case Q5_K -> ReferenceQuantizer::q5_K;
            case Q6_K -> ReferenceQuantizer::q6_K;
            default -> throw new AssertionError(t);
        };
        return q.apply(x);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q4_K", "Q5_K", "Q6_K"})
    void keptBlocksHoldGgmlsFloatsBitForBit(GgmlType type) {
        float[] x = gaussian(ROWS * COLS, 40 + type.id());
        ReferenceQuantizer ref = quantize(type, x);
        BlockQuantized q = GgufQuantized.of(type, ref.buffer(), ROWS, COLS);
        float[] ggml = new float[x.length];
        GgmlDequantizer.dequantize(type, ref.buffer(), ggml);
        float[] kept = q.dequantize();
        for (int i = 0; i < x.length; i++) {
            assertThat(Float.floatToRawIntBits(kept[i])).as("%s element %d: %s vs %s", type, i, kept[i], ggml[i])
                    .isEqualTo(Float.floatToRawIntBits(ggml[i]));
            // and the value the reference quantiser meant to encode (computed in double from its own fields)
            assertThat((double) kept[i]).isCloseTo(ref.encoded[i],
                    org.assertj.core.data.Offset.offset(1e-6 * Math.abs(ref.encoded[i]) + 1e-7));
        }
        int bits = switch (type) {
            case Q4_0, Q4_1, Q4_K -> 4;
            default -> 8;
        };
        assertThat(q.bits()).isEqualTo(bits);
        assertThat(q.blockSize()).isEqualTo(type == GgmlType.Q6_K ? 16 : 32);
        assertThat(q.offsets() != null).isEqualTo(type == GgmlType.Q4_1 || type == GgmlType.Q4_K || type == GgmlType.Q5_K);
        // Q4_0 and Q8_0 use MatMulNBits' default zero point (8, 128), so they need none stored.
        assertThat(q.zeroPoints() == null).isEqualTo(type == GgmlType.Q4_0 || type == GgmlType.Q8_0);
        assertThat(q.codes().remaining()).isEqualTo(ROWS * COLS * bits / 8);
    }

    @Test
    void rowPermutationOfBlocksMatchesThatOfFloats() {
        int heads = 2;
        int headDim = 4;
        float[] x = gaussian(heads * headDim * 64, 5);
        ReferenceQuantizer ref = quantize(GgmlType.Q4_1, x);
        BlockQuantized q = GgufQuantized.of(GgmlType.Q4_1, ref.buffer(), heads * headDim, 64)
                .permuteRows(GgufLlamaLayout.hfRowOrder(heads, headDim));
        float[] floats = new float[x.length];
        GgmlDequantizer.dequantize(GgmlType.Q4_1, ref.buffer(), floats);
        assertThat(q.dequantize()).containsExactly(GgufLlamaLayout.unpermuteRows(floats, heads, headDim, 64));
    }
}
