package rlif.models.arch;

import rlif.models.tensor.DType;

/**
 * Choices when building a decoder graph.
 *
 * @param dtype weight and activation type: F32, or F16 (norms, softmax and the returned logits stay float32)
 * @param kvCache true for the Optimum decoder with {@code past_key_values.N.*} inputs and {@code present.N.*}
 *     outputs; false for a plain full-sequence forward (inputs input_ids, attention_mask, position_ids; output logits)
 * @param hooks how weights become values and linears are applied (the trainer's LoRA entry point)
 * @param linears how linear weights are stored: float, or quantized blocks ({@link LinearWeights})
 * @param groupQueryAttention attention as ONNX Runtime's fused {@code com.microsoft.GroupQueryAttention} (with a KV
 *     cache and float32 activations only) where the architecture and head size allow it, else the standard-op
 *     attention; the two agree to float32 rounding (GroupQueryAttentionTest)
 */
public record DecoderOptions(DType dtype, boolean kvCache, LayerHooks hooks, LinearWeights linears,
        boolean groupQueryAttention) {
    public DecoderOptions {
        if (dtype != DType.F32 && dtype != DType.F16) {
            throw new IllegalArgumentException("decoder dtype must be F32 or F16, got " + dtype);
        }
        if (!linears.dense() && dtype != DType.F32) {
            throw new IllegalArgumentException("quantized linears run with float32 activations, not " + dtype);
        }
        if (groupQueryAttention && (!kvCache || dtype != DType.F32)) {
            throw new IllegalArgumentException("GroupQueryAttention is built for the float32 decoder with a KV cache");
        }
    }

    /** Standard-op attention. */
    public DecoderOptions(DType dtype, boolean kvCache, LayerHooks hooks, LinearWeights linears) {
        this(dtype, kvCache, hooks, linears, false);
    }

    /** Float linear weights. */
    public DecoderOptions(DType dtype, boolean kvCache, LayerHooks hooks) {
        this(dtype, kvCache, hooks, LinearWeights.DENSE);
    }

    /** The inference decoder with a KV cache, plain weights. */
    public static DecoderOptions inference(DType dtype) {
        return new DecoderOptions(dtype, true, LayerHooks.DEFAULT);
    }

    /** The same with attention as {@code GroupQueryAttention} ({@link #groupQueryAttention}). */
    public DecoderOptions withGroupQueryAttention() {
        return new DecoderOptions(dtype, kvCache, hooks, linears, true);
    }

    /** The inference decoder with a KV cache and float32 activations, linears stored as {@code linears} says. */
    public static DecoderOptions inference(LinearWeights linears) {
        return new DecoderOptions(DType.F32, true, LayerHooks.DEFAULT, linears);
    }
}
