package rlif.models.quant;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Round-to-nearest block quantization of a float weight, asymmetric with an integer zero point per block (ONNX
 * Runtime's own {@code MatMulNBits} quantizer does the same): a block's range is widened to include 0, {@code scale =
 * (max - min) / (2^bits - 1)}, {@code zeroPoint = round(-min / scale)}, {@code code = clamp(round(x / scale) +
 * zeroPoint)}. Every element is then within half a step ({@code scale / 2}) of its original value.
 */
public final class RtnQuantizer {
    private RtnQuantizer() {}

    /** Quantizes {@code w}, row-major {@code [rows, cols]}, to {@code bits} bits in blocks of {@code blockSize}. */
    public static BlockQuantized quantize(float[] w, int rows, int cols, int bits, int blockSize) {
        if ((long) rows * cols != w.length) {
            throw new IllegalArgumentException(w.length + " values are not " + rows + " x " + cols);
        }
        if (cols % blockSize != 0) {
            throw new IllegalArgumentException(cols + " columns are not a whole number of blocks of " + blockSize);
        }
        int blocks = cols / blockSize;
        int maxCode = (1 << bits) - 1;
        ByteBuffer codes = ByteBuffer.allocate(rows * cols * bits / 8).order(ByteOrder.LITTLE_ENDIAN);
        float[] scales = new float[rows * blocks];
        int zpRow = BlockQuantized.zeroPointBytes(blocks, bits);
        byte[] zeroPoints = new byte[rows * zpRow];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                int from = r * cols + b * blockSize;
                float min = 0;
                float max = 0;
                for (int j = 0; j < blockSize; j++) {
                    min = Math.min(min, w[from + j]);
                    max = Math.max(max, w[from + j]);
                }
                float scale = (max - min) / maxCode;
                if (!(scale > 0) || !Float.isFinite(scale)) {
                    if (!Float.isFinite(min) || !Float.isFinite(max)) {
                        throw new IllegalArgumentException("row " + r + " block " + b + " holds a non-finite value");
                    }
                    scale = 1; // an all-zero block: any scale represents it exactly
                }
                int zp = Math.clamp(Math.round(-min / scale), 0, maxCode);
                scales[r * blocks + b] = scale;
                PackedBits.set(zeroPoints, r * zpRow, b, bits, zp);
                for (int j = 0; j < blockSize; j++) {
                    int q = Math.clamp(Math.round(w[from + j] / scale) + zp, 0, maxCode);
                    PackedBits.set(codes, from + j, bits, q);
                }
            }
        }
        return new BlockQuantized(rows, cols, bits, blockSize, codes, scales, zeroPoints, null);
    }

}
