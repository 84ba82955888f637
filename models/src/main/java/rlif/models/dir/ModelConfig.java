package rlif.models.dir;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import rlif.models.tensor.DType;

/**
 * What rlif knows about a decoder after reading its directory: shapes and types from the ONNX graph's
 * own inputs and outputs, the rest from the layout's config files.
 *
 * @param layout        the directory convention found
 * @param architecture  model family as the configs name it ({@code llama}, {@code gpt2}, ...)
 * @param layers        decoder layers (one cache entry each)
 * @param heads         attention heads (query heads)
 * @param kvHeads       key/value heads (fewer than {@code heads} with grouped-query attention)
 * @param headSize      size of one head
 * @param hidden        hidden size, when a config says it
 * @param vocab         logits per position (prompt ids must be below it)
 * @param inputIdType   element type of {@code input_ids}, {@code attention_mask} and {@code position_ids}
 * @param kvType        element type of the key/value cache
 * @param logitsType    element type of the logits
 * @param bosId         beginning-of-sequence id, when known
 * @param eosIds        every id that ends a sequence (may be empty: then only the length limit stops)
 * @param padId         padding id, when known
 * @param contextLength longest sequence the model accepts, when known
 * @param decoderFile   the decoder's .onnx file
 * @param files         the decoder file then its external data files, with sizes
 */
public record ModelConfig(
        ModelLayout layout,
        String architecture,
        int layers,
        int heads,
        int kvHeads,
        int headSize,
        OptionalInt hidden,
        int vocab,
        DType inputIdType,
        DType kvType,
        DType logitsType,
        OptionalInt bosId,
        Set<Integer> eosIds,
        OptionalInt padId,
        OptionalInt contextLength,
        Path decoderFile,
        List<ModelFile> files) {
    public ModelConfig {
        eosIds = Set.copyOf(eosIds);
        files = List.copyOf(files);
    }

    /** Size of the decoder's .onnx file in bytes. */
    public long decoderBytes() {
        return files.get(0).bytes();
    }

    /** Total bytes of the decoder file and its external data. */
    public long totalBytes() {
        return files.stream().mapToLong(ModelFile::bytes).sum();
    }

    /**
     * The id to fill left padding with: the pad id, else an eos id, else 0 (masked out either way; it
     * only has to be an id the embedding can look up, so a pad id outside the vocabulary is skipped).
     */
    public int paddingId() {
        if (padId.isPresent() && padId.getAsInt() >= 0 && padId.getAsInt() < vocab) {
            return padId.getAsInt();
        }
        return eosIds.stream().mapToInt(Integer::intValue).min().orElse(0);
    }
}
