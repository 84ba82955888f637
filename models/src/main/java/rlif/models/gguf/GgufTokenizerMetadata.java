package rlif.models.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import rlif.models.BadInputException;

/**
 * The inverse of {@link GgufTokenizer}: a byte-level BPE {@code tokenizer.json} as llama.cpp's
 * {@code tokenizer.ggml.*} metadata (model {@code gpt2}, tokens by id, token types, merges, the pre-tokenizer by
 * the name llama.cpp gives it). What GGUF cannot name (a SentencePiece or WordPiece model, an unknown split) is
 * refused rather than written as something that tokenizes differently.
 */
public final class GgufTokenizerMetadata {
    private static final List<String> PRE_NAMES = List.of("smollm", "qwen2", "llama-bpe", "gpt2");

    private GgufTokenizerMetadata() {}

    /** Adds the tokenizer of {@code tokenizerJson} (from {@code where}) for a model of {@code vocabSize} embedding rows. */
    public static void write(GgufWriter w, JsonNode tokenizerJson, String where, long vocabSize, Integer bos, Integer eos,
            Integer pad, String chatTemplate) {
        JsonNode model = tokenizerJson.path("model");
        if (!model.path("type").asText().equals("BPE") || !model.path("vocab").isObject()) {
            throw new BadInputException(where + ": only byte-level BPE tokenizers can be written to GGUF; this one is '"
                    + model.path("type").asText("?") + "'");
        }
        String pre = preName(tokenizerJson.path("pre_tokenizer"), where);
        String[] tokens = new String[Math.toIntExact(vocabSize)];
        int[] types = new int[tokens.length];
        model.path("vocab").properties().forEach(e -> put(tokens, types, e.getValue().asInt(-1), e.getKey(),
                GgufTokenizer.NORMAL, where));
        for (JsonNode a : tokenizerJson.path("added_tokens")) {
            put(tokens, types, a.path("id").asInt(-1), a.path("content").asText(),
                    a.path("special").asBoolean(true) ? GgufTokenizer.CONTROL : GgufTokenizer.USER_DEFINED, where);
        }
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] == null) { // embedding rows past the tokenizer, as llama.cpp's converter pads them
                tokens[id] = "[PAD" + id + "]";
                types[id] = GgufTokenizer.UNUSED;
            }
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        }
        w.string("tokenizer.ggml.model", "gpt2").string("tokenizer.ggml.pre", pre)
                .strings("tokenizer.ggml.tokens", List.of(tokens)).i32s("tokenizer.ggml.token_type", types)
                .strings("tokenizer.ggml.merges", merges);
        if (bos != null) {
            w.u32("tokenizer.ggml.bos_token_id", bos);
        }
        if (eos != null) {
            w.u32("tokenizer.ggml.eos_token_id", eos);
        }
        if (pad != null) {
            w.u32("tokenizer.ggml.padding_token_id", pad);
        }
        w.bool("tokenizer.ggml.add_bos_token", tokenizerJson.path("post_processor").path("type").asText().equals("TemplateProcessing"));
        if (chatTemplate != null) {
            w.string("tokenizer.chat_template", chatTemplate);
        }
    }

    private static void put(String[] tokens, int[] types, int id, String text, int type, String where) {
        if (id < 0 || id >= tokens.length) {
            throw new BadInputException(where + ": token '" + text + "' has id " + id + ", outside the model's "
                    + tokens.length + " embedding rows");
        }
        tokens[id] = text;
        types[id] = type;
    }

    /** The llama.cpp name whose pre-tokenizer {@link GgufTokenizer} would build is exactly this one. */
    private static String preName(JsonNode preTokenizer, String where) {
        for (String name : PRE_NAMES) {
            if (GgufTokenizer.preTokenizer(name).equals(preTokenizer)) {
                return name;
            }
        }
        throw new BadInputException(where + ": its pre_tokenizer is not one GGUF names (rlif knows smollm, qwen2,"
                + " llama-bpe and gpt2 splits); writing another name would tokenize differently");
    }
}
