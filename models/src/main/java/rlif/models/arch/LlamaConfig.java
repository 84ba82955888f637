package rlif.models.arch;

import java.util.List;

/**
 * A llama-family decoder (Llama 2/3, Mistral, SmolLM, Qwen2/2.5, Qwen3): RMSNorm, rotary embeddings,
 * grouped-query attention, SwiGLU.
 *
 * @param qkvBias biases on q/k/v projections (Qwen2 always; Llama/Qwen3 when {@code attention_bias})
 * @param oBias bias on the output projection ({@code attention_bias} of Llama/Qwen3)
 * @param qkNorm per-head RMSNorm of q and k before rotation (Qwen3)
 * @param ropeScaling null when the frequencies are unscaled
 * @param slidingWindow null when every layer attends to the whole prefix
 */
public record LlamaConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        SlidingWindow slidingWindow,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        boolean oBias,
        boolean mlpBias,
        boolean qkNorm,
        int contextLength,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        Integer padTokenId,
        String configJson) implements DecoderConfig {
    public LlamaConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if (slidingWindow != null && slidingWindow.windowed().size() != numLayers) {
            throw new IllegalArgumentException("sliding window covers " + slidingWindow.windowed().size() + " layers, not " + numLayers);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim " + headDim + " must be even for rotary embeddings");
        }
    }

    /** Inverse rotary frequencies {@code theta^(-2i/headDim)}, scaled per {@link #ropeScaling()}, in double. */
    public double[] inverseFrequencies() {
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(ropeTheta, (2.0 * i) / headDim);
        }
        return ropeScaling == null ? inv : ropeScaling.apply(inv);
    }
}
