package rlif.models.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import rlif.models.BadInputException;

/**
 * A model's {@code tokenizer.json}, through the Hugging Face tokenizers library (DJL's binding), plus the
 * token table read from the same file for lookups the binding does not offer. Owns native memory: close it.
 */
public final class ModelTokenizer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Far above any real vocabulary (the largest are ~1M tokens). */
    static final int MAX_TOKEN_ID = (1 << 24) - 1;

    static {
        // DJL logs through SLF4J; without a provider SLF4J prints a three-line notice on every run.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
    }

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> tokenIds;
    private final int vocabSize;

    private ModelTokenizer(Path file, HuggingFaceTokenizer tokenizer, Map<String, Integer> tokenIds, int vocabSize) {
        this.file = file;
        this.tokenizer = tokenizer;
        this.tokenIds = tokenIds;
        this.vocabSize = vocabSize;
    }

    /** Opens a {@code tokenizer.json}; a missing or malformed file is bad input. */
    public static ModelTokenizer open(Path tokenizerJson) {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new BadInputException("tokenizer file " + tokenizerJson + " does not exist");
        }
        Map<String, Integer> ids = new HashMap<>();
        int maxId = -1;
        try {
            JsonNode root = JSON.readTree(tokenizerJson.toFile());
            JsonNode vocab = root.path("model").path("vocab");
            if (vocab.isObject()) {
                for (Map.Entry<String, JsonNode> e : vocab.properties()) {
                    ids.put(e.getKey(), e.getValue().asInt());
                }
            } else if (vocab.isArray()) {
                // Unigram models list [piece, score] pairs; the id is the position.
                for (int i = 0; i < vocab.size(); i++) {
                    ids.put(vocab.get(i).path(0).asText(), i);
                }
            }
            for (JsonNode added : root.path("added_tokens")) {
                ids.put(added.path("content").asText(), added.path("id").asInt());
            }
        } catch (IOException e) {
            throw new BadInputException("cannot parse tokenizer file " + tokenizerJson + ": "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            // vocabSize() is maxId + 1 and sizes embeddings: a hostile id must not overflow it or make a trainer
            // allocate billions of rows the file never described
            if (e.getValue() < 0 || e.getValue() > MAX_TOKEN_ID) {
                throw new BadInputException("tokenizer file " + tokenizerJson + ": token '" + abbreviate(e.getKey())
                        + "' has id " + e.getValue() + ", outside 0.." + MAX_TOKEN_ID);
            }
            maxId = Math.max(maxId, e.getValue());
        }
        HuggingFaceTokenizer hf;
        try {
            // No truncation or padding: rlif pads batches itself and must see every prompt token.
            hf = HuggingFaceTokenizer.newInstance(tokenizerJson,
                    Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true"));
        } catch (IOException | RuntimeException e) {
            throw new BadInputException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
        return new ModelTokenizer(tokenizerJson, hf, Map.copyOf(ids), maxId + 1);
    }

    public Path file() {
        return file;
    }

    /** Token ids of {@code text}, with the tokenizer's special tokens (e.g. bos) when asked. */
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] ids;
        try {
            ids = tokenizer.encode(text, addSpecialTokens, false).getIds();
        } catch (RuntimeException e) {
            // the native tokenizer loads some broken files (e.g. an unk_token missing from the vocabulary) and
            // only fails when it meets a text that needs the broken part: that is the file's fault, not ours
            throw new BadInputException("tokenizer file " + file + " cannot encode text: " + e.getMessage(), e);
        }
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /** The text of {@code ids}, dropping special tokens when asked. */
    public String decode(int[] ids, boolean skipSpecial) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            wide[i] = ids[i];
        }
        try {
            return tokenizer.decode(wide, skipSpecial);
        } catch (RuntimeException e) {
            throw new BadInputException("tokenizer file " + file + " cannot decode ids: " + e.getMessage(), e);
        }
    }

    /** The id of a token as the vocabulary spells it (e.g. {@code "</s>"}), if it has one. */
    public OptionalInt tokenToId(String token) {
        Integer id = tokenIds.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** One more than the largest id the tokenizer can produce. */
    public int vocabSize() {
        return vocabSize;
    }

    /**
     * Refuses ids a model with {@code vocab} logits cannot embed, before any session runs;
     * {@code where} names the prompt (e.g. "line 3 of data.jsonl").
     */
    public static void requireEmbeddable(int[] ids, int vocab, String where) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new BadInputException(where + ": token id " + ids[i] + " at position " + i
                        + " is outside the model's vocabulary of " + vocab + " ids (0.." + (vocab - 1) + ")");
            }
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
