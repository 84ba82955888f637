package rlif.models.gguf;

import java.nio.ByteBuffer;

/**
 * Turns ggml tensors back into floats: plain float types widened, quantized blocks decoded by {@link GgmlBlocks} and
 * evaluated as {@code (code - zeroPoint) * scale [+ offset]}, which is ggml's own arithmetic (same products, same
 * order) for every block type listed there.
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
            default -> {
                if (!GgmlBlocks.decodes(type)) {
                    throw new IllegalArgumentException("cannot dequantise " + type);
                }
                blocks(type, src, out);
            }
        }
    }

    private static void blocks(GgmlType type, ByteBuffer src, float[] out) {
        int size = type.blockSize();
        int sub = GgmlBlocks.subBlock(type);
        int[] codes = new int[size];
        float[] scales = new float[size / sub];
        int[] zeroPoints = new int[size / sub];
        float[] offsets = new float[size / sub];
        boolean offset = GgmlBlocks.hasOffsets(type);
        for (int b = 0, blocks = out.length / size; b < blocks; b++) {
            GgmlBlocks.decode(type, src, b, codes, scales, zeroPoints, offsets);
            for (int j = 0; j < size; j++) {
                int s = j / sub;
                float x = (codes[j] - zeroPoints[s]) * scales[s];
                out[b * size + j] = offset ? x + offsets[s] : x;
            }
        }
    }
}
