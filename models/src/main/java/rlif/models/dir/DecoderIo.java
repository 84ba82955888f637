package rlif.models.dir;

import java.util.List;
import java.util.Optional;

/**
 * The names a decoder's ONNX graph uses for its inputs and outputs, and how its cache is laid out.
 *
 * <p>{@code pastInputs.get(i)} is fed with what {@code presentOutputs.get(i)} returned on the step
 * before. With {@link CacheLayout#STACKED} there is one entry per layer; with
 * {@link CacheLayout#SEPARATE} entries alternate key, value for layer 0, 1, ...
 *
 * @param useCacheBranch the boolean input of Optimum's merged decoders, when present (false on the
 *                       first step, true after)
 */
public record DecoderIo(
        String inputIds,
        String attentionMask,
        Optional<String> positionIds,
        Optional<String> useCacheBranch,
        String logits,
        CacheLayout cacheLayout,
        List<String> pastInputs,
        List<String> presentOutputs) {
    public DecoderIo {
        pastInputs = List.copyOf(pastInputs);
        presentOutputs = List.copyOf(presentOutputs);
        if (pastInputs.size() != presentOutputs.size()) {
            throw new IllegalArgumentException("every past input needs a present output");
        }
    }
}
