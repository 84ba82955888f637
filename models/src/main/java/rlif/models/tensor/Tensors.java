package rlif.models.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Small constructors and conversions of {@link Tensor}s (scalars, int vectors, float16/bfloat16 casts, 2-D transpose). */
public final class Tensors {
    private Tensors() {}

    /** A scalar of a float type (F32, F16, BF16, F64) holding {@code x} rounded to that type. */
    public static Tensor scalar(double x, DType dtype) {
        if (dtype == DType.F64) {
            return new Tensor("scalar", dtype, new long[0], ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0, x));
        }
        return ofFloats("scalar", new long[0], new float[] {(float) x}, dtype);
    }

    /** A tensor of {@code dtype} (F32, F16, BF16, F64) holding {@code values} rounded to that type. */
    public static Tensor ofFloats(String name, long[] shape, float[] values, DType dtype) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case F32 -> b.putFloat(4 * i, values[i]);
                case F16 -> b.putShort(2 * i, Float.floatToFloat16(values[i]));
                case BF16 -> b.putShort(2 * i, toBf16(values[i]));
                case F64 -> b.putDouble(8 * i, values[i]);
                default -> throw new IllegalArgumentException("not a float type: " + dtype);
            }
        }
        return new Tensor(name, dtype, shape, b);
    }

    /** An int64 tensor holding a copy of {@code values}. */
    public static Tensor ofLongs(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new Tensor(name, DType.I64, shape, b);
    }

    /** The tensor converted to another float type (F32, F16, BF16); the same tensor when already of that type. */
    public static Tensor convert(Tensor t, DType to) {
        if (t.dtype() == to) {
            return t;
        }
        return ofFloats(t.name(), t.shape(), t.toFloats(), to);
    }

    /** The transpose of a 2-D tensor (any element size), e.g. a Hugging Face {@code [out, in]} linear weight to {@code [in, out]}. */
    public static Tensor transpose2d(Tensor t, String newName) {
        long[] s = t.shape();
        if (s.length != 2) {
            throw new IllegalArgumentException("tensor " + t.name() + " is not 2-D: " + java.util.Arrays.toString(s));
        }
        int rows = Math.toIntExact(s[0]);
        int cols = Math.toIntExact(s[1]);
        int e = t.dtype().bytes();
        ByteBuffer src = t.data();
        ByteBuffer dst = ByteBuffer.allocate(Math.multiplyExact(Math.multiplyExact(rows, cols), e)).order(ByteOrder.LITTLE_ENDIAN);
        // 64x64 tiles keep both the rows read and the columns written in cache on large matrices
        final int tile = 64;
        for (int r0 = 0; r0 < rows; r0 += tile) {
            for (int c0 = 0; c0 < cols; c0 += tile) {
                int r1 = Math.min(rows, r0 + tile);
                int c1 = Math.min(cols, c0 + tile);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        int from = (r * cols + c) * e;
                        int to = (c * rows + r) * e;
                        switch (e) {
                            case 2 -> dst.putShort(to, src.getShort(from));
                            case 4 -> dst.putInt(to, src.getInt(from));
                            case 8 -> dst.putLong(to, src.getLong(from));
                            default -> dst.put(to, src.get(from));
                        }
                    }
                }
            }
        }
        return new Tensor(newName, t.dtype(), new long[] {cols, rows}, dst);
    }

    /** Round-to-nearest-even float32 to bfloat16 bits. */
    public static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** Element {@code i} of a float tensor (F32, F16, BF16, F64) widened to double. */
    public static double getDouble(Tensor t, long i) {
        ByteBuffer d = t.data();
        return switch (t.dtype()) {
            case F32 -> d.getFloat(Math.toIntExact(4 * i));
            case F16 -> Float.float16ToFloat(d.getShort(Math.toIntExact(2 * i)));
            case BF16 -> Float.intBitsToFloat((d.getShort(Math.toIntExact(2 * i)) & 0xffff) << 16);
            case F64 -> d.getDouble(Math.toIntExact(8 * i));
            default -> throw new IllegalArgumentException("tensor " + t.name() + " is " + t.dtype() + ", not a float type");
        };
    }
}
