package rlif.models.gguf;

import java.nio.ByteBuffer;

/**
 * Turns ggml blocks back into floats. Block layouts (little-endian, {@code half} = IEEE float16), as ggml defines
 * them in {@code ggml-common.h} / {@code ggml-quants.c}:
 *
 * <pre>
 * Q8_0  (32 elems, 34 B): half d; int8 qs[32]                          x = d*q
 * Q4_0  (32 elems, 18 B): half d; u8 qs[16]                             x[j] = d*((qs[j]&15)-8), x[j+16] = d*((qs[j]>>4)-8)
 * Q4_1  (32 elems, 20 B): half d, m; u8 qs[16]                          x[j] = d*(qs[j]&15)+m,   x[j+16] = d*(qs[j]>>4)+m
 * Q4_K (256 elems,144 B): half d, dmin; u8 scales[12]; u8 qs[128]        8 sub-blocks of 32 with 6-bit scale/min
 * Q5_K (256 elems,176 B): half d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]   as Q4_K plus a fifth bit from qh
 * Q6_K (256 elems,210 B): u8 ql[128]; u8 qh[64]; int8 scales[16]; half d      16 sub-blocks of 16, x = d*sc*(q-32)
 * </pre>
 */
public final class GgmlDequantizer {
    private GgmlDequantizer() {}

    /** Dequantises {@code out.length} elements of {@code type} from {@code src} (little-endian, from index 0). */
    public static void dequantize(GgmlType type, ByteBuffer src, float[] out) {
        int n = out.length;
        if (n % type.blockSize() != 0) {
            throw new IllegalArgumentException(n + " elements are not whole " + type + " blocks");
        }
        long need = (long) (n / type.blockSize()) * type.blockBytes();
        if (src.limit() < need) {
            throw new IllegalArgumentException(type + ": " + n + " elements need " + need + " bytes, have " + src.limit());
        }
        int blocks = n / type.blockSize();
        switch (type) {
            case F32 -> src.asFloatBuffer().get(0, out);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(src.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((src.getShort(2 * i) & 0xffff) << 16);
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < blocks; b++) {
                    q8_0(src, b * 34, out, b * 32);
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < blocks; b++) {
                    q4_0(src, b * 18, out, b * 32);
                }
            }
            case Q4_1 -> {
                for (int b = 0; b < blocks; b++) {
                    q4_1(src, b * 20, out, b * 32);
                }
            }
            case Q4_K -> {
                for (int b = 0; b < blocks; b++) {
                    q4_K(src, b * 144, out, b * 256);
                }
            }
            case Q5_K -> {
                for (int b = 0; b < blocks; b++) {
                    q5_K(src, b * 176, out, b * 256);
                }
            }
            case Q6_K -> {
                for (int b = 0; b < blocks; b++) {
                    q6_K(src, b * 210, out, b * 256);
                }
            }
            default -> throw new IllegalArgumentException("cannot dequantise " + type);
        }
    }

    private static float half(ByteBuffer b, int at) {
        return Float.float16ToFloat(b.getShort(at));
    }

    private static int u8(ByteBuffer b, int at) {
        return b.get(at) & 0xff;
    }

    private static void q8_0(ByteBuffer b, int at, float[] out, int o) {
        float d = half(b, at);
        for (int j = 0; j < 32; j++) {
            out[o + j] = d * b.get(at + 2 + j);
        }
    }

    private static void q4_0(ByteBuffer b, int at, float[] out, int o) {
        float d = half(b, at);
        for (int j = 0; j < 16; j++) {
            int q = u8(b, at + 2 + j);
            out[o + j] = d * ((q & 0xf) - 8);
            out[o + j + 16] = d * ((q >> 4) - 8);
        }
    }

    private static void q4_1(ByteBuffer b, int at, float[] out, int o) {
        float d = half(b, at);
        float m = half(b, at + 2);
        for (int j = 0; j < 16; j++) {
            int q = u8(b, at + 4 + j);
            out[o + j] = d * (q & 0xf) + m;
            out[o + j + 16] = d * (q >> 4) + m;
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

    private static void q4_K(ByteBuffer b, int at, float[] out, int o) {
        float d = half(b, at);
        float dmin = half(b, at + 2);
        int scales = at + 4;
        int qs = at + 16;
        for (int chunk = 0; chunk < 4; chunk++) { // 64 elements: two sub-blocks sharing 32 bytes of nibbles
            float d1 = d * scaleMinK4(b, scales, 2 * chunk, 0);
            float m1 = dmin * scaleMinK4(b, scales, 2 * chunk, 1);
            float d2 = d * scaleMinK4(b, scales, 2 * chunk + 1, 0);
            float m2 = dmin * scaleMinK4(b, scales, 2 * chunk + 1, 1);
            for (int l = 0; l < 32; l++) {
                int q = u8(b, qs + 32 * chunk + l);
                out[o + 64 * chunk + l] = d1 * (q & 0xf) - m1;
                out[o + 64 * chunk + 32 + l] = d2 * (q >> 4) - m2;
            }
        }
    }

    private static void q5_K(ByteBuffer b, int at, float[] out, int o) {
        float d = half(b, at);
        float dmin = half(b, at + 2);
        int scales = at + 4;
        int qh = at + 16;
        int qs = at + 48;
        for (int chunk = 0; chunk < 4; chunk++) {
            float d1 = d * scaleMinK4(b, scales, 2 * chunk, 0);
            float m1 = dmin * scaleMinK4(b, scales, 2 * chunk, 1);
            float d2 = d * scaleMinK4(b, scales, 2 * chunk + 1, 0);
            float m2 = dmin * scaleMinK4(b, scales, 2 * chunk + 1, 1);
            for (int l = 0; l < 32; l++) {
                int q = u8(b, qs + 32 * chunk + l);
                int h = u8(b, qh + l);
                int hi1 = ((h >> (2 * chunk)) & 1) << 4;
                int hi2 = ((h >> (2 * chunk + 1)) & 1) << 4;
                out[o + 64 * chunk + l] = d1 * ((q & 0xf) | hi1) - m1;
                out[o + 64 * chunk + 32 + l] = d2 * ((q >> 4) | hi2) - m2;
            }
        }
    }

    private static void q6_K(ByteBuffer b, int at, float[] out, int o) {
        int ql = at;
        int qh = at + 128;
        int sc = at + 192;
        float d = half(b, at + 208);
        for (int half = 0; half < 2; half++) { // 128 elements: 64 bytes of low nibbles, 32 bytes of high pairs
            int l0 = ql + 64 * half;
            int h0 = qh + 32 * half;
            int s0 = sc + 8 * half;
            for (int l = 0; l < 32; l++) {
                int h = u8(b, h0 + l);
                int a = u8(b, l0 + l);
                int c = u8(b, l0 + l + 32);
                int q1 = ((a & 0xf) | ((h & 3) << 4)) - 32;
                int q2 = ((c & 0xf) | (((h >> 2) & 3) << 4)) - 32;
                int q3 = ((a >> 4) | (((h >> 4) & 3) << 4)) - 32;
                int q4 = ((c >> 4) | (((h >> 6) & 3) << 4)) - 32;
                int is = l / 16;
                int base = o + 128 * half + l;
                out[base] = d * b.get(s0 + is) * q1;
                out[base + 32] = d * b.get(s0 + is + 2) * q2;
                out[base + 64] = d * b.get(s0 + is + 4) * q3;
                out[base + 96] = d * b.get(s0 + is + 6) * q4;
            }
        }
    }
}
