package rlif.kernels;

import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * A block of logits rows laid out row-major as {@code [rows, vocab]}, in one of the forms they arrive in:
 * a Java array, an off-heap float32 buffer, or an off-heap float16 buffer (as ONNX Runtime returns them).
 *
 * <p>{@link #get} is the slow, obviously-correct accessor the scalar reference uses; fast backends
 * switch on the concrete type and read the storage directly.
 */
public sealed interface LogitRows {
    int rows();

    int vocab();

    /** The logit at ({@code row}, {@code col}) as float32. */
    float get(int row, int col);

    static LogitRows of(float[] data, int rows, int vocab) {
        return new F32Array(data, 0, rows, vocab);
    }

    static LogitRows of(FloatBuffer data, int rows, int vocab) {
        return new F32Buffer(data, rows, vocab);
    }

    /** float16 bits, as {@code OnnxTensor.getShortBuffer()} returns them for a FLOAT16 tensor. */
    static LogitRows ofHalf(ShortBuffer data, int rows, int vocab) {
        return new F16Buffer(data, rows, vocab);
    }

    private static void check(long capacity, int rows, int vocab) {
        if (rows < 0 || vocab < 1 || (long) rows * vocab > capacity) {
            throw new IllegalArgumentException(
                    "logits block [" + rows + ", " + vocab + "] does not fit in " + capacity + " elements");
        }
    }

    /** Rows of a float array, starting at {@code offset}. */
    record F32Array(float[] data, int offset, int rows, int vocab) implements LogitRows {
        public F32Array {
            check(data.length - (long) offset, rows, vocab);
        }

        @Override
        public float get(int row, int col) {
            return data[offset + row * vocab + col];
        }
    }

    /** Rows of a float32 buffer, indexed absolutely from position 0. */
    record F32Buffer(FloatBuffer data, int rows, int vocab) implements LogitRows {
        public F32Buffer {
            check(data.capacity(), rows, vocab);
        }

        @Override
        public float get(int row, int col) {
            return data.get(row * vocab + col);
        }
    }

    /** Rows of IEEE float16 bit patterns, indexed absolutely from position 0. */
    record F16Buffer(ShortBuffer data, int rows, int vocab) implements LogitRows {
        public F16Buffer {
            check(data.capacity(), rows, vocab);
        }

        @Override
        public float get(int row, int col) {
            return Float.float16ToFloat(data.get(row * vocab + col));
        }
    }
}
