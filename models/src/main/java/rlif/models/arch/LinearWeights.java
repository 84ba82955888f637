package rlif.models.arch;

import rlif.models.quant.RtnQuantizer;

/**
 * How a decoder stores its linear weights (the projections and the language-model head; embeddings and norms stay
 * float).
 *
 * @param keepSourceBlocks     linears a source holds quantized (GGUF Q4_0, Q4_1, Q8_0, K-quants; an int4/int8
 *                             directory) stay quantized, value for value, as {@code MatMulNBits} blocks
 * @param quantizeFloatsToBits 4 or 8 to quantize float linears round-to-nearest in blocks of {@link #BLOCK_SIZE}
 *                             (asymmetric, integer zero points); 0 to keep them float
 * @param dequantizeInGraph    blocks are dequantized by standard ops and multiplied in float32 (the training graph,
 *                             which autodiff differentiates, as QLoRA does); otherwise {@code MatMulNBits} multiplies
 *                             them
 * @param accuracyLevel        {@code MatMulNBits}' accuracy level: 4 ({@link #ACCURACY_LEVEL}) rounds activations to
 *                             int8 per block for integer dot products; 0 or 1 multiply in float32, exact up to float
 *                             rounding (8-bit weights then stay float: ONNX Runtime has no float32 kernel for them and
 *                             would dequantize the whole weight on every run)
 * @param offsetsAsZeroPoints  at accuracy level 4 with {@code MatMulNBits}, source blocks with offsets (GGUF Q4_1,
 *                             Q4_K, Q5_K) are re-quantized round-to-nearest to integer zero points ({@link
 *                             RtnQuantizer}), ONNX Runtime GenAI's layout: one {@code MatMulNBits} per linear instead of
 *                             it plus the offsets' block-sum product (four more nodes per linear, a third of an int4
 *                             SmolLM2 decode step), at the price of up to half a new step per weight; otherwise the
 *                             offsets are kept and every value stays exact
 */
public record LinearWeights(boolean keepSourceBlocks, int quantizeFloatsToBits, boolean dequantizeInGraph,
        int accuracyLevel, boolean offsetsAsZeroPoints) {
    /** Block size of weights quantized here (GGUF blocks keep their own: 32, or 16 for Q6_K). */
    public static final int BLOCK_SIZE = 32;
    /**
     * {@code MatMulNBits}' accuracy level: 4 quantizes the activations to int8 per block for integer dot products,
     * ONNX Runtime GenAI's CPU default. 8-bit weights have no faster path at other levels on x86.
     */
    public static final int ACCURACY_LEVEL = 4;

    /** Every weight float: quantized sources are dequantized (the default). */
    public static final LinearWeights DENSE = new LinearWeights(false, 0, false, ACCURACY_LEVEL, false);

    public LinearWeights {
        if (quantizeFloatsToBits != 0 && quantizeFloatsToBits != 4 && quantizeFloatsToBits != 8) {
            throw new IllegalArgumentException("quantizeFloatsToBits must be 0, 4 or 8, got " + quantizeFloatsToBits);
        }
        if (accuracyLevel < 0 || accuracyLevel > 4) {
            throw new IllegalArgumentException("accuracyLevel must be 0..4, got " + accuracyLevel);
        }
        if (quantizeFloatsToBits == 8 && accuracyLevel != ACCURACY_LEVEL && !dequantizeInGraph) {
            throw new IllegalArgumentException("8-bit weights need accuracy level " + ACCURACY_LEVEL
                    + " (ONNX Runtime has no fast float32 kernel for them)");
        }
    }

    /**
     * Source blocks kept, float linears quantized to {@code bits}: {@code rlif import --dtype int4|int8}, in ONNX
     * Runtime GenAI's layout at level 4 ({@link #offsetsAsZeroPoints}).
     */
    public static LinearWeights quantized(int bits) {
        return new LinearWeights(true, bits, false, ACCURACY_LEVEL, true);
    }

    /** What the source holds quantized stays quantized, nothing more is quantized (the trainer's frozen base). */
    public static LinearWeights asStored() {
        return new LinearWeights(true, 0, false, ACCURACY_LEVEL, false);
    }

    public LinearWeights dequantizedInGraph() {
        return new LinearWeights(keepSourceBlocks, quantizeFloatsToBits, true, accuracyLevel, offsetsAsZeroPoints);
    }

    public LinearWeights withAccuracyLevel(int level) {
        return new LinearWeights(keepSourceBlocks, quantizeFloatsToBits, dequantizeInGraph, level, offsetsAsZeroPoints);
    }

    /** The same with source blocks' offsets kept exact at every level ({@link #offsetsAsZeroPoints} false). */
    public LinearWeights keepingOffsets() {
        return new LinearWeights(keepSourceBlocks, quantizeFloatsToBits, dequantizeInGraph, accuracyLevel, false);
    }

    /** Whether source blocks with offsets are re-quantized to zero points here ({@link #offsetsAsZeroPoints}). */
    public boolean foldsOffsets() {
        return offsetsAsZeroPoints && accuracyLevel == ACCURACY_LEVEL && !dequantizeInGraph;
    }

    public boolean dense() {
        return !keepSourceBlocks && quantizeFloatsToBits == 0;
    }
}
