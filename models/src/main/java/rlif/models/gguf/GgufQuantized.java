package rlif.models.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import rlif.models.quant.BlockQuantized;
import rlif.models.quant.PackedBits;

/**
 * A quantized GGUF matrix re-expressed, without changing any value, as a {@link BlockQuantized} weight for ONNX
 * Runtime's {@code MatMulNBits}: codes that fit a nibble (Q4_0, Q4_1, Q4_K) stay 4-bit, wider ones (Q8_0, Q5_K, Q6_K)
 * become 8-bit; one block per ggml sub-block (32 elements, 16 for Q6_K); the zero point is stored only where it is not
 * {@code MatMulNBits}' default {@code 2^(bits-1)}; Q4_1's and the K-quants' minimums become block offsets.
 */
public final class GgufQuantized {
    private GgufQuantized() {}

    /** Whether tensors of {@code type} can be kept quantized. */
    public static boolean keeps(GgmlType type) {
        return GgmlBlocks.decodes(type);
    }

    /** Bits a tensor of {@code type} is kept at. */
    public static int bits(GgmlType type) {
        return GgmlBlocks.codeBits(type);
    }

    /** The {@code [rows, cols]} matrix stored row-major in {@code src} as {@code type} blocks along each row. */
    public static BlockQuantized of(GgmlType type, ByteBuffer src, int rows, int cols) {
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(cols + " columns are not whole " + type + " blocks");
        }
        int sub = GgmlBlocks.subBlock(type);
        int bits = GgmlBlocks.codeBits(type);
        int defaultZero = 1 << (bits - 1);
        int perBlock = type.blockSize() / sub;
        int blocks = cols / sub; // MatMulNBits blocks per row
        int[] codes = new int[type.blockSize()];
        float[] s = new float[perBlock];
        int[] z = new int[perBlock];
        float[] o = new float[perBlock];
        ByteBuffer packed = ByteBuffer.allocate(Math.multiplyExact(rows, cols) / 8 * bits).order(ByteOrder.LITTLE_ENDIAN);
        float[] scales = new float[rows * blocks];
        int[] zeroPoints = new int[rows * blocks];
        float[] offsets = GgmlBlocks.hasOffsets(type) ? new float[rows * blocks] : null;
        boolean defaultZeros = true;
        int ggmlBlocks = rows * (cols / type.blockSize());
        for (int g = 0; g < ggmlBlocks; g++) {
            GgmlBlocks.decode(type, src, g, codes, s, z, o);
            for (int j = 0; j < codes.length; j++) {
                PackedBits.set(packed, (long) g * codes.length + j, bits, codes[j]);
            }
            for (int k = 0; k < perBlock; k++) {
                int block = g * perBlock + k; // rows are whole ggml blocks, so this is row * blocks + block in row
                scales[block] = s[k];
                zeroPoints[block] = z[k];
                defaultZeros &= z[k] == defaultZero;
                if (offsets != null) {
                    offsets[block] = o[k];
                }
            }
        }
        return new BlockQuantized(rows, cols, bits, sub, packed, scales,
                defaultZeros ? null : packZeroPoints(zeroPoints, rows, blocks, bits), offsets);
    }

    private static byte[] packZeroPoints(int[] zeroPoints, int rows, int blocks, int bits) {
        int perRow = BlockQuantized.zeroPointBytes(blocks, bits);
        byte[] out = new byte[rows * perRow];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                PackedBits.set(out, r * perRow, b, bits, zeroPoints[r * blocks + b]);
            }
        }
        return out;
    }
}
