package rlif.models.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A deliberately plain quantiser for the tests: it packs floats into ggml blocks straight from the layout
 * description (field by field, element by element), written independently of {@link GgmlDequantizer}'s loops.
 * For each element it also records the value the block encodes ({@link #encoded}), computed in double from the
 * stored half-precision scales and the chosen integer codes, and the worst error the format allows
 * ({@link #bound}), so tests can check both the layout (exact) and the quantisation (within the bound).
 */
public final class ReferenceQuantizer {
    public final byte[] bytes;
    final double[] encoded;
    final double[] bound;

    private ReferenceQuantizer(int bytes, int n) {
        this.bytes = new byte[bytes];
        this.encoded = new double[n];
        this.bound = new double[n];
    }

    ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static short half(double v) {
        return Float.floatToFloat16((float) v);
    }

    private static double unhalf(short h) {
        return Float.float16ToFloat(h);
    }

    private void putHalf(int at, short h) {
        bytes[at] = (byte) h;
        bytes[at + 1] = (byte) (h >> 8);
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    public static ReferenceQuantizer q8_0(float[] x) {
        ReferenceQuantizer r = new ReferenceQuantizer(x.length / 32 * 34, x.length);
        for (int b = 0; b < x.length / 32; b++) {
            double amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[32 * b + j]));
            }
            short dh = half(amax / 127);
            double d = unhalf(dh);
            r.putHalf(34 * b, dh);
            for (int j = 0; j < 32; j++) {
                long q = d == 0 ? 0 : clamp(Math.round(x[32 * b + j] / d), -127, 127);
                r.bytes[34 * b + 2 + j] = (byte) q;
                r.encoded[32 * b + j] = d * q;
                r.bound[32 * b + j] = 0.5 * d + 1e-6; // half a step; clamping at 127 costs < 0.13 step (d rounding)
            }
        }
        return r;
    }

    /** Q4_0: codes 0..15 meaning q-8; the scale maps the extreme value to -8 as ggml does, so the far side may clamp. */
    public static ReferenceQuantizer q4_0(float[] x) {
        ReferenceQuantizer r = new ReferenceQuantizer(x.length / 32 * 18, x.length);
        for (int b = 0; b < x.length / 32; b++) {
            double max = 0;
            for (int j = 0; j < 32; j++) {
                if (Math.abs(x[32 * b + j]) > Math.abs(max)) {
                    max = x[32 * b + j];
                }
            }
            short dh = half(max / -8);
            double d = unhalf(dh);
            r.putHalf(18 * b, dh);
            for (int j = 0; j < 32; j++) {
                long q = d == 0 ? 8 : clamp(Math.round(x[32 * b + j] / d) + 8, 0, 15);
                int byteIndex = 18 * b + 2 + (j % 16);
                r.bytes[byteIndex] |= (byte) (j < 16 ? q : q << 4);
                r.encoded[32 * b + j] = d * (q - 8);
                r.bound[32 * b + j] = Math.abs(d) + 1e-6; // +max clamps from 8 to 7: one step
            }
        }
        return r;
    }

    public static ReferenceQuantizer q4_1(float[] x) {
        ReferenceQuantizer r = new ReferenceQuantizer(x.length / 32 * 20, x.length);
        for (int b = 0; b < x.length / 32; b++) {
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            for (int j = 0; j < 32; j++) {
                min = Math.min(min, x[32 * b + j]);
                max = Math.max(max, x[32 * b + j]);
            }
            short dh = half((max - min) / 15);
            short mh = half(min);
            double d = unhalf(dh);
            double m = unhalf(mh);
            r.putHalf(20 * b, dh);
            r.putHalf(20 * b + 2, mh);
            for (int j = 0; j < 32; j++) {
                long q = d == 0 ? 0 : clamp(Math.round((x[32 * b + j] - m) / d), 0, 15);
                r.bytes[20 * b + 4 + (j % 16)] |= (byte) (j < 16 ? q : q << 4);
                r.encoded[32 * b + j] = d * q + m;
                // half a step, plus the half-precision rounding of the min and of the range
                r.bound[32 * b + j] = 0.5 * d + Math.abs(m - min) + 16 * Math.abs(d - (max - min) / 15) + 1e-6;
            }
        }
        return r;
    }

    /** Q4_K (levels = 16) or Q5_K (levels = 32): 8 sub-blocks of 32, x = d*sc*q - dmin*m, 6-bit sc and m. */
    private static ReferenceQuantizer kQuant(float[] x, int levels) {
        boolean five = levels == 32;
        int blockBytes = five ? 176 : 144;
        ReferenceQuantizer r = new ReferenceQuantizer(x.length / 256 * blockBytes, x.length);
        for (int b = 0; b < x.length / 256; b++) {
            int at = blockBytes * b;
            double[] scale = new double[8];
            double[] negMin = new double[8];
            double maxScale = 0;
            double maxNegMin = 0;
            for (int s = 0; s < 8; s++) {
                double lo = 0;
                double hi = -Double.MAX_VALUE;
                for (int j = 0; j < 32; j++) {
                    lo = Math.min(lo, x[256 * b + 32 * s + j]);
                    hi = Math.max(hi, x[256 * b + 32 * s + j]);
                }
                scale[s] = (hi - lo) / (levels - 1);
                negMin[s] = -lo;
                maxScale = Math.max(maxScale, scale[s]);
                maxNegMin = Math.max(maxNegMin, negMin[s]);
            }
            // 62 rather than 63 leaves room to round the 6-bit codes up so every sub-block's range stays covered
            short dh = half(maxScale / 62);
            short dminh = half(maxNegMin / 62);
            double d = unhalf(dh);
            double dmin = unhalf(dminh);
            r.putHalf(at, dh);
            r.putHalf(at + 2, dminh);
            int[] sc = new int[8];
            int[] mn = new int[8];
            for (int s = 0; s < 8; s++) {
                sc[s] = d == 0 ? 0 : (int) clamp((long) Math.ceil(scale[s] / d), 0, 63);
                mn[s] = dmin == 0 ? 0 : (int) clamp((long) Math.ceil(negMin[s] / dmin), 0, 63);
            }
            // 12 bytes: bytes 0..3 = scale s (low 6 bits) + top 2 bits of scale s+4; bytes 4..7 = min s + top 2 bits
            // of min s+4; bytes 8..11 = low 4 bits of scale s+4 | low 4 bits of min s+4 << 4.
            int scales = at + 4;
            for (int s = 0; s < 4; s++) {
                r.bytes[scales + s] = (byte) ((sc[s] & 63) | ((sc[s + 4] >> 4) << 6));
                r.bytes[scales + 4 + s] = (byte) ((mn[s] & 63) | ((mn[s + 4] >> 4) << 6));
                r.bytes[scales + 8 + s] = (byte) ((sc[s + 4] & 15) | ((mn[s + 4] & 15) << 4));
            }
            int qh = at + 16;
            int qs = five ? at + 48 : at + 16;
            for (int e = 0; e < 256; e++) {
                int s = e / 32;
                double step = d * sc[s];
                double off = dmin * mn[s];
                long q = step == 0 ? 0 : clamp(Math.round((x[256 * b + e] + off) / step), 0, levels - 1);
                // element e: 64-element chunk c = e/64 shares 32 bytes; first 32 take low nibbles, next 32 high
                int c = e / 64;
                int l = e % 32;
                boolean high = (e % 64) >= 32;
                r.bytes[qs + 32 * c + l] |= (byte) (high ? (q & 15) << 4 : q & 15);
                if (five && q >= 16) {
                    r.bytes[qh + l] |= (byte) (1 << (2 * c + (high ? 1 : 0)));
                }
                r.encoded[256 * b + e] = step * q - off;
                // half a step, plus the min rounded up by at most one dmin unit shortening the top of the range
                r.bound[256 * b + e] = 0.5 * step + dmin + 1e-6;
            }
        }
        return r;
    }

    public static ReferenceQuantizer q4_K(float[] x) {
        return kQuant(x, 16);
    }

    public static ReferenceQuantizer q5_K(float[] x) {
        return kQuant(x, 32);
    }

    /** Q6_K: 16 sub-blocks of 16 with signed 8-bit scales; codes 0..63 meaning q-32. */
    public static ReferenceQuantizer q6_K(float[] x) {
        ReferenceQuantizer r = new ReferenceQuantizer(x.length / 256 * 210, x.length);
        for (int b = 0; b < x.length / 256; b++) {
            int at = 210 * b;
            double[] scale = new double[16];
            double maxScale = 0;
            for (int s = 0; s < 16; s++) {
                double amax = 0;
                for (int j = 0; j < 16; j++) {
                    amax = Math.max(amax, Math.abs(x[256 * b + 16 * s + j]));
                }
                scale[s] = amax / 31;
                maxScale = Math.max(maxScale, scale[s]);
            }
            short dh = half(maxScale / 126);
            double d = unhalf(dh);
            r.putHalf(at + 208, dh);
            int[] sc = new int[16];
            for (int s = 0; s < 16; s++) {
                sc[s] = d == 0 ? 0 : (int) clamp((long) Math.ceil(scale[s] / d), -128, 127);
                r.bytes[at + 192 + s] = (byte) sc[s];
            }
            for (int e = 0; e < 256; e++) {
                double step = d * sc[e / 16];
                long q = step == 0 ? 0 : clamp(Math.round(x[256 * b + e] / step), -32, 31);
                long code = q + 32;
                // element e: half h = e/128; within it k = (e%128)/32 picks the nibble/byte pair, l = e%32
                int h = e / 128;
                int k = (e % 128) / 32;
                int l = e % 32;
                int qlIndex = at + 64 * h + l + ((k & 1) == 1 ? 32 : 0);
                r.bytes[qlIndex] |= (byte) (k >= 2 ? (code & 15) << 4 : code & 15);
                r.bytes[at + 128 + 32 * h + l] |= (byte) ((code >> 4) << (2 * k));
                r.encoded[256 * b + e] = step * q;
                r.bound[256 * b + e] = 0.5 * step + 1e-6; // amax/31 per step keeps +amax inside 31 steps
            }
        }
        return r;
    }
}
