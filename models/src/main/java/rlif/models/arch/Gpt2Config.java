package rlif.models.arch;

import java.util.List;

/**
 * A GPT-2 decoder: learned positions, pre-LayerNorm blocks, fused {@code c_attn}, GELU MLP, tied head.
 *
 * @param tanhGelu true for {@code gelu_new}/{@code gelu_pytorch_tanh} (the tanh approximation), false for exact {@code gelu}
 * @param tieWordEmbeddings true (the GPT-2 default) when the head reuses {@code wte}; false reads {@code lm_head.weight}
 */
public record Gpt2Config(
        int vocabSize,
        int hiddenSize,
        int innerSize,
        int numLayers,
        int numHeads,
        double layerNormEps,
        boolean tanhGelu,
        boolean scaleAttnWeights,
        boolean tieWordEmbeddings,
        int contextLength,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        Integer padTokenId,
        String configJson) implements DecoderConfig {
    public Gpt2Config {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("n_embd " + hiddenSize + " is not a multiple of n_head " + numHeads);
        }
    }

    @Override
    public String modelType() {
        return "gpt2";
    }

    /** Every block linear ({@code attn.c_attn}, {@code attn.c_proj}, {@code mlp.c_fc}, {@code mlp.c_proj}) is a Conv1D; the head is not. */
    @Override
    public boolean storesInOut(String module) {
        return module.matches("(transformer\\.)?h\\.\\d+\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)");
    }

    @Override
    public int numKvHeads() {
        return numHeads;
    }

    @Override
    public int headDim() {
        return hiddenSize / numHeads;
    }
}
