package rlif.models.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class GgmlDequantizerTest {

    private static float[] gaussian(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            // a spread of magnitudes and an offset, so mins, signs and scales all matter
            x[i] = (float) (rnd.nextGaussian() * (1 + (i / 32) % 5) + ((i / 256) % 2 == 0 ? 0.3 : -0.7));
        }
        return x;
    }

    private static Function<float[], ReferenceQuantizer> quantizer(GgmlType t) {
        return switch (t) {
            case Q8_0 -> ReferenceQuantizer::q8_0;
            case Q4_0 -> ReferenceQuantizer::q4_0;
            case Q4_1 -> ReferenceQuantizer::q4_1;
            case Q4_K -> ReferenceQuantizer::q4_K;
            case Q5_K -> ReferenceQuantizer::q5_K;
            case Q6_K -> ReferenceQuantizer::q6_K;
            default -> throw new AssertionError(t);
        };
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q4_K", "Q5_K", "Q6_K"})
    void quantisedBlocksDequantiseToTheEncodedValuesAndStayWithinTheFormatsErrorBound(GgmlType type) {
        float[] x = gaussian(4 * 256, type.id());
        ReferenceQuantizer ref = quantizer(type).apply(x);
        assertThat(ref.bytes.length).isEqualTo(x.length / type.blockSize() * type.blockBytes());
        float[] y = new float[x.length];
        GgmlDequantizer.dequantize(type, ref.buffer(), y);
        double worstRelative = 0;
        for (int i = 0; i < x.length; i++) {
            // The layout check: the float the block encodes, recomputed in double; float32 products round at
            // 2^-24 relative, so 1e-6 relative (plus a tiny absolute for values near 0) is ample and still exact
            // enough that a swapped nibble, scale or bit would fail it.
            assertThat((double) y[i]).as("%s element %d", type, i)
                    .isCloseTo(ref.encoded[i], org.assertj.core.data.Offset.offset(1e-6 * Math.abs(ref.encoded[i]) + 1e-7));
            // The quantisation check: the original float is recovered within the format's step bound.
            assertThat(Math.abs((double) y[i] - x[i])).as("%s error at %d", type, i).isLessThanOrEqualTo(ref.bound[i]);
            worstRelative = Math.max(worstRelative, Math.abs(y[i] - x[i]) / ref.bound[i]);
        }
        assertThat(worstRelative).as("the bound is not vacuous").isGreaterThan(0.2);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void q8_0HandBuiltBlock() {
        ByteBuffer b = le(34).putShort(Float.floatToFloat16(0.5f));
        for (int j = 0; j < 32; j++) {
            b.put((byte) (j - 16));
        }
        float[] y = new float[32];
        GgmlDequantizer.dequantize(GgmlType.Q8_0, b.flip(), y);
        for (int j = 0; j < 32; j++) {
            assertThat(y[j]).isEqualTo((j - 16) * 0.5f);
        }
    }

    @Test
    void q4_0LowNibblesAreTheFirstSixteenElements() {
        ByteBuffer b = le(18).putShort(Float.floatToFloat16(2f));
        for (int j = 0; j < 16; j++) {
            b.put((byte) (j | (15 - j) << 4)); // element j = j-8, element j+16 = 7-j
        }
        float[] y = new float[32];
        GgmlDequantizer.dequantize(GgmlType.Q4_0, b.flip(), y);
        for (int j = 0; j < 16; j++) {
            assertThat(y[j]).isEqualTo(2f * (j - 8));
            assertThat(y[j + 16]).isEqualTo(2f * (7 - j));
        }
    }

    @Test
    void q4_1AddsTheMin() {
        ByteBuffer b = le(20).putShort(Float.floatToFloat16(0.25f)).putShort(Float.floatToFloat16(-1f));
        for (int j = 0; j < 16; j++) {
            b.put((byte) 0x3f); // low 15, high 3
        }
        float[] y = new float[32];
        GgmlDequantizer.dequantize(GgmlType.Q4_1, b.flip(), y);
        assertThat(y[0]).isEqualTo(0.25f * 15 - 1f);
        assertThat(y[31]).isEqualTo(0.25f * 3 - 1f);
    }

    @Test
    void q4_KSubBlockFiveTakesItsScaleFromSplitBits() {
        // sub-block 4 (elements 128..159: chunk 2, low nibbles) scale 53 = 0b11_0101: top bits 11 in scales[0]'s
        // bits 6-7, low nibble 0101 in scales[8]; its min 0b10_0011 = 35: top bits in scales[4], nibble in scales[8]
        ByteBuffer b = le(144).putShort(Float.floatToFloat16(1f)).putShort(Float.floatToFloat16(0.5f));
        byte[] scales = new byte[12];
        scales[0] = (byte) 0b11_000000;
        scales[4] = (byte) 0b10_000000;
        scales[8] = (byte) (0b0101 | 0b0011 << 4);
        b.put(scales);
        byte[] qs = new byte[128];
        for (int l = 0; l < 32; l++) {
            qs[64 + l] = (byte) 0x12; // chunk 2: low nibble 2 (sub-block 4), high nibble 1 (sub-block 5)
        }
        b.put(qs);
        float[] y = new float[256];
        GgmlDequantizer.dequantize(GgmlType.Q4_K, b.flip(), y);
        assertThat(y[128]).isEqualTo(53f * 2 - 0.5f * 35);
        assertThat(y[159]).isEqualTo(53f * 2 - 0.5f * 35);
        assertThat(y[160]).isEqualTo(0f); // sub-block 5: scale 0, min 0
        assertThat(y[0]).isEqualTo(0f); // sub-block 0 scale is scales[0] & 63 = 0
    }

    @Test
    void q5_KFifthBitComesFromQhBitTwiceTheChunk() {
        ByteBuffer b = le(176).putShort(Float.floatToFloat16(1f)).putShort(Float.floatToFloat16(0f));
        byte[] scales = new byte[12];
        for (int s = 0; s < 4; s++) {
            scales[s] = 1; // sub-blocks 0..3 scale 1
        }
        b.put(scales);
        byte[] qh = new byte[32];
        qh[3] = (byte) 0b0000_1000; // bit 3 = chunk 1, high half: element 64 + 32 + 3 = 99
        b.put(qh);
        b.put(new byte[128]);
        float[] y = new float[256];
        GgmlDequantizer.dequantize(GgmlType.Q5_K, b.flip(), y);
        assertThat(y[99]).isEqualTo(16f);
        for (int i = 0; i < 256; i++) {
            if (i != 99) {
                assertThat(y[i]).as("element %d", i).isEqualTo(0f);
            }
        }
    }

    @Test
    void q6_KScaleIndexFollowsGroupsOfSixteen() {
        ByteBuffer b = le(210);
        byte[] ql = new byte[128];
        byte[] qh = new byte[64];
        java.util.Arrays.fill(ql, (byte) 0x00);
        java.util.Arrays.fill(qh, (byte) 0xaa); // high pair 2 for every element: code 32 = zero
        ql[64 + 32 + 5] = (byte) 0x70; // half 1, k = 3 (high nibble of ql[l+32]), l = 5: element 128 + 96 + 5 = 229
        b.put(ql).put(qh);
        for (int s = 0; s < 16; s++) {
            b.put((byte) (s - 8));
        }
        b.putShort(Float.floatToFloat16(0.5f));
        float[] y = new float[256];
        GgmlDequantizer.dequantize(GgmlType.Q6_K, b.flip(), y);
        // code = 7 | 2 << 4 = 39 -> q = 7; scale index 229 / 16 = 14 -> 6
        assertThat(y[229]).isEqualTo(0.5f * 6 * 7);
        assertThat(y[228]).isEqualTo(0f);
    }

    @Test
    void halfAndBrainFloatWiden() {
        ByteBuffer h = le(4).putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-2f));
        float[] y = new float[2];
        GgmlDequantizer.dequantize(GgmlType.F16, h.flip(), y);
        assertThat(y).containsExactly(1.5f, -2f);
        ByteBuffer bf = le(4).putShort((short) (Float.floatToIntBits(3.25f) >>> 16)).putShort((short) 0xc000);
        GgmlDequantizer.dequantize(GgmlType.BF16, bf.flip(), y);
        assertThat(y).containsExactly(3.25f, -2f);
    }
}
