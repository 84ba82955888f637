package rlif.models.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named weight tensor: element type, shape and little-endian bytes (possibly a slice of a memory-mapped file).
 *
 * <p>The shape is checked against the byte count on construction, so a tensor that exists is one whose
 * data is all there.
 */
public record Tensor(String name, DType dtype, long[] shape, ByteBuffer data) {
    public Tensor {
        long n = elementCount(shape);
        if (n > Long.MAX_VALUE / dtype.bytes() || n * dtype.bytes() != data.remaining()) {
            throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape) + " of "
                    + dtype + " needs " + (n * dtype.bytes()) + " bytes, data has " + data.remaining());
        }
        shape = shape.clone();
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The number of elements of a shape; rejects negative dims and overflow. */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long elementCount() {
        return elementCount(shape);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A float32 tensor holding a copy of {@code values}. */
    public static Tensor ofFloats(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Tensor(name, DType.F32, shape, b);
    }

    /** The values widened to float32 (F32, F16, BF16 only); a new array, at most 2^31-1 elements. */
    public float[] toFloats() {
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor " + name + " has " + n + " elements, too many for one array");
        }
        float[] out = new float[(int) n];
        ByteBuffer d = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> d.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(d.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((d.getShort(2 * i) & 0xffff) << 16);
                }
            }
            default -> throw new IllegalArgumentException("tensor " + name + " is " + dtype + ", not a float type");
        }
        return out;
    }

    /** Same tensor under another name (views the same bytes). */
    public Tensor renamed(String newName) {
        return new Tensor(newName, dtype, shape, data);
    }
}
