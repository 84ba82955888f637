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
 */
public record DecoderOptions(DType dtype, boolean kvCache, LayerHooks hooks, LinearWeights linears) {
    public DecoderOptions {
        if (dtype != DType.F32 && dtype != DType.F16) {
            throw new IllegalArgumentException("decoder dtype must be F32 or F16, got " + dtype);
        }
        if (!linears.dense() && dtype != DType.F32) {
            throw new IllegalArgumentException("quantized linears run with float32 activations, not " + dtype);
        }
    }

    /** Float linear weights. */
    public DecoderOptions(DType dtype, boolean kvCache, LayerHooks hooks) {
        this(dtype, kvCache, hooks, LinearWeights.DENSE);
    }

    /** The inference decoder with a KV cache, plain weights. */
    public static DecoderOptions inference(DType dtype) {
        return new DecoderOptions(dtype, true, LayerHooks.DEFAULT);
    }

    /** The inference decoder with a KV cache and float32 activations, linears stored as {@code linears} says. */
    public static DecoderOptions inference(LinearWeights linears) {
        return new DecoderOptions(DType.F32, true, LayerHooks.DEFAULT, linears);
    }
}
