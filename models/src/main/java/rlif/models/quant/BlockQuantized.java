package rlif.models.quant;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A linear weight {@code W [rows = out, cols = in]} stored in blocks of {@code blockSize} consecutive columns, the
 * layout of ONNX Runtime's {@code MatMulNBits}: per row and block, {@code blockSize} unsigned {@code bits}-bit codes
 * packed low bits first ({@code codes [rows, blocks, blockSize * bits / 8]}), a float32 scale, an integer zero point
 * (packed like the codes, {@code [rows, ceil(blocks * bits / 8)]}; null means {@code 2^(bits-1)} for every block) and,
 * for formats whose blocks have a minimum that is not a whole number of steps (GGUF Q4_1, Q4_K, Q5_K), a float32
 * offset per block:
 *
 * <pre>  W[r, c] = (code[r, c] - zeroPoint[r, b]) * scale[r, b] + offset[r, b],   b = c / blockSize</pre>
 *
 * <p>{@code cols} is a whole number of blocks.
 */
public record BlockQuantized(int rows, int cols, int bits, int blockSize, ByteBuffer codes, float[] scales,
        byte[] zeroPoints, float[] offsets) {
    public BlockQuantized {
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("bits must be 4 or 8, got " + bits);
        }
        if (blockSize < 16 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size must be a power of two >= 16, got " + blockSize);
        }
        if (rows < 1 || cols < 1 || cols % blockSize != 0) {
            throw new IllegalArgumentException(rows + " x " + cols + " is not a whole number of blocks of " + blockSize);
        }
        long blocks = (long) rows * (cols / blockSize);
        if (codes.remaining() != blocks * blockSize * bits / 8) {
            throw new IllegalArgumentException("codes hold " + codes.remaining() + " bytes, " + rows + " x " + cols
                    + " at " + bits + " bits need " + blocks * blockSize * bits / 8);
        }
        if (scales.length != blocks) {
            throw new IllegalArgumentException(scales.length + " scales for " + blocks + " blocks");
        }
        if (zeroPoints != null && zeroPoints.length != (long) rows * zeroPointBytes(cols / blockSize, bits)) {
            throw new IllegalArgumentException(zeroPoints.length + " zero-point bytes for " + blocks + " blocks");
        }
        if (offsets != null && offsets.length != blocks) {
            throw new IllegalArgumentException(offsets.length + " offsets for " + blocks + " blocks");
        }
        codes = codes.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Bytes of packed zero points per row for {@code blocks} blocks. */
    public static int zeroPointBytes(int blocks, int bits) {
        return (blocks * bits + 7) / 8;
    }

    /** Blocks per row. */
    public int blocks() {
        return cols / blockSize;
    }

    /** Bytes of codes per block. */
    public int blockBytes() {
        return blockSize * bits / 8;
    }

    /** The unsigned code of element {@code (row, col)}. */
    public int code(int row, int col) {
        long bit = ((long) row * cols + col) * bits; // rows are whole blocks, blocks whole bytes
        int b = codes.get((int) (bit >>> 3)) & 0xff;
        return bits == 8 ? b : (int) ((b >>> (bit & 7)) & 0xf);
    }

    /** The zero point of block {@code block} of {@code row}. */
    public int zeroPoint(int row, int block) {
        if (zeroPoints == null) {
            return 1 << (bits - 1);
        }
        int perRow = zeroPointBytes(blocks(), bits);
        int b = zeroPoints[row * perRow + block * bits / 8] & 0xff;
        return bits == 8 ? b : (block % 2 == 0 ? b & 0xf : b >>> 4);
    }

    /** {@code W} as float32, row-major {@code [rows, cols]}, by the formula above (in float, as ONNX Runtime does). */
    public float[] dequantize() {
        float[] out = new float[Math.multiplyExact(rows, cols)];
        int blocks = blocks();
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                int i = r * blocks + b;
                float scale = scales[i];
                int zp = zeroPoint(r, b);
                for (int j = 0; j < blockSize; j++) {
                    int c = b * blockSize + j;
                    float x = (code(r, c) - zp) * scale;
                    out[r * cols + c] = offsets == null ? x : x + offsets[i];
                }
            }
        }
        return out;
    }

    /** The same weight with its rows in the order {@code order} (row {@code i} of the result is row {@code order[i]}). */
    public BlockQuantized permuteRows(int[] order) {
        if (order.length != rows) {
            throw new IllegalArgumentException(order.length + " rows in the order, " + rows + " in the weight");
        }
        int rowCodes = blocks() * blockBytes();
        int rowZp = zeroPointBytes(blocks(), bits);
        ByteBuffer c = ByteBuffer.allocate(rows * rowCodes).order(ByteOrder.LITTLE_ENDIAN);
        float[] s = new float[scales.length];
        byte[] z = zeroPoints == null ? null : new byte[zeroPoints.length];
        float[] o = offsets == null ? null : new float[offsets.length];
        for (int i = 0; i < rows; i++) {
            int from = order[i];
            c.put(i * rowCodes, codes, from * rowCodes, rowCodes);
            System.arraycopy(scales, from * blocks(), s, i * blocks(), blocks());
            if (z != null) {
                System.arraycopy(zeroPoints, from * rowZp, z, i * rowZp, rowZp);
            }
            if (o != null) {
                System.arraycopy(offsets, from * blocks(), o, i * blocks(), blocks());
            }
        }
        return new BlockQuantized(rows, cols, bits, blockSize, c, s, z, o);
    }

    @Override
    public String toString() {
        return "BlockQuantized[" + rows + " x " + cols + ", " + bits + " bits, blocks of " + blockSize
                + (zeroPoints != null ? ", zero points" : "") + (offsets != null ? ", offsets" : "") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockQuantized q && rows == q.rows && cols == q.cols && bits == q.bits
                && blockSize == q.blockSize && codes.equals(q.codes) && Arrays.equals(scales, q.scales)
                && Arrays.equals(zeroPoints, q.zeroPoints) && Arrays.equals(offsets, q.offsets);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(scales) * 31 + rows;
    }
}
