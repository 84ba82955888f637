package rlif.models.arch;

import rlif.models.graph.GraphBuilder;

/** The architecture entry point: a decoder graph for a parsed Hugging Face config and its weights. */
public final class Decoders {
    private Decoders() {}

    /**
     * Builds the decoder graph for {@code config} from {@code weights} (Hugging Face names and layouts).
     * Weight shapes are checked against the config and unused checkpoint tensors are an error, both as
     * {@link rlif.models.BadInputException}s naming the tensor.
     */
    public static GraphBuilder build(DecoderConfig config, WeightSource weights, DecoderOptions options) {
        return switch (config) {
            case LlamaConfig c -> LlamaDecoder.build(c, weights, options);
            case Gpt2Config c -> Gpt2Decoder.build(c, weights, options);
        };
    }
}
