package rlif.models.arch;

import rlif.models.tensor.DType;

/**
 * Choices when building a decoder graph.
 *
 * @param dtype weight and activation type: F32, or F16 (norms, softmax and the returned logits stay float32)
 * @param kvCache true for the Optimum decoder with {@code past_key_values.N.*} inputs and {@code present.N.*}
 *     outputs; false for a plain full-sequence forward (inputs input_ids, attention_mask, position_ids; output logits)
 * @param hooks how weights become values and linears are applied (the trainer's LoRA entry point)
 */
public record DecoderOptions(DType dtype, boolean kvCache, LayerHooks hooks) {
    public DecoderOptions {
        if (dtype != DType.F32 && dtype != DType.F16) {
            throw new IllegalArgumentException("decoder dtype must be F32 or F16, got " + dtype);
        }
    }

    /** The inference decoder with a KV cache, plain weights. */
    public static DecoderOptions inference(DType dtype) {
        return new DecoderOptions(dtype, true, LayerHooks.DEFAULT);
    }
}
