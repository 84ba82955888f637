package rlif.models.gguf;

import java.nio.ByteBuffer;

/**
 * The quantized ggml block layouts (little-endian, {@code half} = IEEE float16), as ggml defines them in
 * {@code ggml-common.h} / {@code ggml-quants.c}, decoded into one common form: sub-blocks of consecutive elements,
 * each with an unsigned integer code per element and a scale, integer zero point and float offset per sub-block,
 *
 * <pre>  x = (code - zeroPoint) * scale [+ offset]</pre>
 *
 * <pre>
 * Q8_0  (32 elems, 34 B): half d; int8 qs[32]                          x = d*q              code q+128, zero point 128
 * Q4_0  (32 elems, 18 B): half d; u8 qs[16]                             x[j] = d*((qs[j]&15)-8), x[j+16] = d*((qs[j]>>4)-8)
 * Q4_1  (32 elems, 20 B): half d, m; u8 qs[16]                          x[j] = d*(qs[j]&15)+m,   x[j+16] = d*(qs[j]>>4)+m
 * Q4_K (256 elems,144 B): half d, dmin; u8 scales[12]; u8 qs[128]        8 sub-blocks of 32, x = d*sc*q - dmin*m
 * Q5_K (256 elems,176 B): half d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]   as Q4_K plus a fifth bit from qh
 * Q6_K (256 elems,210 B): u8 ql[128]; u8 qh[64]; int8 scales[16]; half d      16 sub-blocks of 16, x = d*sc*(q-32)
 * </pre>
 *
 * Every float product is formed in the order ggml's own dequantization forms it, so {@link GgmlDequantizer} (which
 * uses this decoding) gives ggml's floats, and a {@code MatMulNBits} weight built from the same codes, scales and
 * offsets ({@link GgufQuantized}) holds exactly the same values.
 */
final class GgmlBlocks {
    private GgmlBlocks() {}

    /** Elements per sub-block (a {@code MatMulNBits} block) of a quantized type. */
    static int subBlock(GgmlType t) {
        return switch (t) {
            case Q8_0, Q4_0, Q4_1, Q4_K, Q5_K -> 32;
            case Q6_K -> 16;
            default -> throw new IllegalArgumentException(t + " is not a block-quantized type rlif decodes");
        };
    }

    /** Bits of the unsigned codes: 4 where they fit in a nibble, else 8. */
    static int codeBits(GgmlType t) {
        return switch (t) {
            case Q4_0, Q4_1, Q4_K -> 4;
            case Q8_0, Q5_K, Q6_K -> 8;
            default -> throw new IllegalArgumentException(t + " is not a block-quantized type rlif decodes");
        };
    }

    /** Whether sub-blocks carry an additive offset (a minimum that is not a whole number of steps). */
    static boolean hasOffsets(GgmlType t) {
        return t == GgmlType.Q4_1 || t == GgmlType.Q4_K || t == GgmlType.Q5_K;
    }

    /** Whether {@code t} is one of the types above. */
    static boolean decodes(GgmlType t) {
        return switch (t) {
            case Q8_0, Q4_0, Q4_1, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    /**
     * Decodes ggml block {@code block} of {@code src}: {@code codes[0..blockSize)}, and per sub-block {@code s} of
     * the block {@code scales[s]}, {@code zeroPoints[s]}, {@code offsets[s]} (0 for types without offsets).
     */
    static void decode(GgmlType t, ByteBuffer src, int block, int[] codes, float[] scales, int[] zeroPoints,
            float[] offsets) {
        int at = block * t.blockBytes();
        switch (t) {
            case Q8_0 -> q8_0(src, at, codes, scales, zeroPoints, offsets);
            case Q4_0 -> q4_0(src, at, codes, scales, zeroPoints, offsets);
            case Q4_1 -> q4_1(src, at, codes, scales, zeroPoints, offsets);
            case Q4_K -> qK(src, at, false, codes, scales, zeroPoints, offsets);
            case Q5_K -> qK(src, at, true, codes, scales, zeroPoints, offsets);
            case Q6_K -> q6_K(src, at, codes, scales, zeroPoints, offsets);
            default -> throw new IllegalArgumentException(t + " is not a block-quantized type rlif decodes");
        }
    }

    private static float half(ByteBuffer b, int at) {
        return Float.float16ToFloat(b.getShort(at));
    }

    private static int u8(ByteBuffer b, int at) {
        return b.get(at) & 0xff;
    }

    private static void q8_0(ByteBuffer b, int at, int[] codes, float[] scales, int[] zeroPoints, float[] offsets) {
        scales[0] = half(b, at);
        zeroPoints[0] = 128;
        offsets[0] = 0;
        for (int j = 0; j < 32; j++) {
            codes[j] = b.get(at + 2 + j) + 128;
        }
    }

    private static void q4_0(ByteBuffer b, int at, int[] codes, float[] scales, int[] zeroPoints, float[] offsets) {
        scales[0] = half(b, at);
        zeroPoints[0] = 8;
        offsets[0] = 0;
        for (int j = 0; j < 16; j++) {
            int q = u8(b, at + 2 + j);
            codes[j] = q & 0xf;
            codes[j + 16] = q >> 4;
        }
    }

    private static void q4_1(ByteBuffer b, int at, int[] codes, float[] scales, int[] zeroPoints, float[] offsets) {
        scales[0] = half(b, at);
        offsets[0] = half(b, at + 2);
        zeroPoints[0] = 0;
        for (int j = 0; j < 16; j++) {
            int q = u8(b, at + 4 + j);
            codes[j] = q & 0xf;
            codes[j + 16] = q >> 4;
        }
    }

    /**
     * The 6-bit scale ({@code which = 0}) or min ({@code which = 1}) of sub-block {@code j} of a K-quant super-block:
     * sub-blocks 0..3 keep theirs in the low 6 bits of bytes j (scale) and j+4 (min); sub-blocks 4..7 keep the low 4
     * bits in byte j+4 (scale: low nibble, min: high nibble) and the top 2 bits in the spare top bits of bytes j-4
     * (scale) and j (min).
     */
    static int scaleMinK4(ByteBuffer b, int scales, int j, int which) {
        if (j < 4) {
            return u8(b, scales + j + 4 * which) & 63;
        }
        int low = u8(b, scales + j + 4);
        int high = u8(b, scales + j - 4 + 4 * which) >> 6;
        return (which == 0 ? low & 0xf : low >> 4) | (high << 4);
    }

    /** Q4_K and Q5_K ({@code fifthBit}): chunks of 64 elements, two sub-blocks sharing 32 bytes of nibbles. */
    private static void qK(ByteBuffer b, int at, boolean fifthBit, int[] codes, float[] scales, int[] zeroPoints,
            float[] offsets) {
        float d = half(b, at);
        float dmin = half(b, at + 2);
        int sc = at + 4;
        int qh = at + 16;
        int qs = fifthBit ? at + 48 : at + 16;
        for (int chunk = 0; chunk < 4; chunk++) {
            for (int s = 0; s < 2; s++) {
                int sub = 2 * chunk + s;
                scales[sub] = d * scaleMinK4(b, sc, sub, 0);
                offsets[sub] = -(dmin * scaleMinK4(b, sc, sub, 1));
                zeroPoints[sub] = 0;
            }
            for (int l = 0; l < 32; l++) {
                int q = u8(b, qs + 32 * chunk + l);
                int hi1 = 0;
                int hi2 = 0;
                if (fifthBit) {
                    int h = u8(b, qh + l);
                    hi1 = ((h >> (2 * chunk)) & 1) << 4;
                    hi2 = ((h >> (2 * chunk + 1)) & 1) << 4;
                }
                codes[64 * chunk + l] = (q & 0xf) | hi1;
                codes[64 * chunk + 32 + l] = (q >> 4) | hi2;
            }
        }
    }

    private static void q6_K(ByteBuffer b, int at, int[] codes, float[] scales, int[] zeroPoints, float[] offsets) {
        int ql = at;
        int qh = at + 128;
        int sc = at + 192;
        float d = half(b, at + 208);
        for (int s = 0; s < 16; s++) {
            scales[s] = d * b.get(sc + s);
            zeroPoints[s] = 32;
            offsets[s] = 0;
        }
        for (int half = 0; half < 2; half++) { // 128 elements: 64 bytes of low nibbles, 32 bytes of high pairs
            int l0 = ql + 64 * half;
            int h0 = qh + 32 * half;
            for (int l = 0; l < 32; l++) {
                int h = u8(b, h0 + l);
                int a = u8(b, l0 + l);
                int c = u8(b, l0 + l + 32);
                int base = 128 * half + l;
                codes[base] = (a & 0xf) | ((h & 3) << 4);
                codes[base + 32] = (c & 0xf) | (((h >> 2) & 3) << 4);
                codes[base + 64] = (a >> 4) | (((h >> 4) & 3) << 4);
                codes[base + 96] = (c >> 4) | (((h >> 6) & 3) << 4);
            }
        }
    }
}
