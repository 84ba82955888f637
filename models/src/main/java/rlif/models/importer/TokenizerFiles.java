package rlif.models.importer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import rlif.models.BadInputException;

/** Reads a Hugging Face tokenizer (tokenizer.json plus its optional side files) from a model folder. */
final class TokenizerFiles {
    static final String[] OPTIONAL = {"tokenizer_config.json", "special_tokens_map.json", "generation_config.json",
        "chat_template.jinja"};
    /** A tokenizer.json of the largest vocabularies is tens of MB; more than this is not a tokenizer. */
    private static final long MAX_BYTES = 256L << 20;

    private TokenizerFiles() {}

    /** The tokenizer files of {@code dir}; tokenizer.json is required, links leaving {@code dir} are refused. */
    static Map<String, byte[]> read(Path dir) {
        if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            throw new BadInputException(dir + ": no tokenizer.json; rlif needs the tokenizer to score the model");
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("tokenizer.json", readConfined(dir, "tokenizer.json"));
        for (String name : OPTIONAL) {
            if (Files.isRegularFile(dir.resolve(name))) {
                files.put(name, readConfined(dir, name));
            }
        }
        return files;
    }

    private static byte[] readConfined(Path dir, String name) {
        Path file = dir.resolve(name);
        try {
            rlif.models.io.ContainedPaths.confine(dir, file, "tokenizer file", dir.toString());
            if (Files.size(file) > MAX_BYTES) {
                throw new BadInputException(file + ": " + Files.size(file) + " bytes is too large for a tokenizer file");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
