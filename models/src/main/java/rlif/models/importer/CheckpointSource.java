package rlif.models.importer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import rlif.models.arch.WeightSource;

/**
 * A checkpoint in some foreign format seen as a Hugging Face one: a {@code config.json}, tensors by Hugging Face
 * name and layout, and tokenizer files. {@link ModelImporter} turns any of them into a model directory.
 */
public interface CheckpointSource extends AutoCloseable {
    /** The format name as the CLI spells it: safetensors, gguf, onnx. */
    String format();

    /** What was imported (file or folder). */
    Path source();

    /** The Hugging Face {@code config.json}, as given or synthesised. */
    ObjectNode config();

    /** The weights under Hugging Face names. */
    WeightSource weights();

    /** Total elements over all weights, for progress reporting. */
    long elementCount();

    /** Tokenizer files by name ({@code tokenizer.json} at least), read or generated. */
    Map<String, byte[]> tokenizerFiles();

    @Override
    void close();
}
