package rlif.models.arch;

import java.util.List;

/**
 * What every supported decoder's Hugging Face config tells the graph builder and the model-directory writer.
 *
 * <p>Parsed once, immutable ({@link HfConfig#parse}); {@link #configJson()} keeps the original text so
 * the written {@code config.json} is the user's own.
 */
public sealed interface DecoderConfig permits LlamaConfig, Gpt2Config {
    /** Hugging Face {@code model_type}: llama, mistral, qwen2, qwen3 or gpt2. */
    String modelType();

    int vocabSize();

    int hiddenSize();

    int numLayers();

    int numHeads();

    int numKvHeads();

    int headDim();

    /** Longest context the checkpoint was trained for ({@code max_position_embeddings} / {@code n_positions}). */
    int contextLength();

    /** May be null. */
    Integer bosTokenId();

    /** Possibly empty. */
    List<Integer> eosTokenIds();

    /** May be null. */
    Integer padTokenId();

    /**
     * Whether the Hugging Face weight of linear layer {@code module} is stored {@code [in, out]} (GPT-2's
     * {@code Conv1D}) rather than {@code [out, in]} ({@code nn.Linear}); adapters and merges follow it.
     */
    default boolean storesInOut(String module) {
        return false;
    }

    /** The config.json text this was parsed from. */
    String configJson();
}
