package rlif.trainer.init;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A character-level Hugging Face {@code tokenizer.json} for the project's own small models: one token
 * per printable ASCII character and newline, plus {@code <pad>} (0), {@code <s>} (1) and {@code </s>} (2).
 * It is a BPE model without merges and without pre-tokenizer, so any text splits into its characters,
 * and a {@code Fuse} decoder so decoding concatenates them back without spaces.
 */
public final class CharTokenizer {
    public static final int PAD = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    private static final String[] SPECIAL = {"<pad>", "<s>", "</s>"};

    private CharTokenizer() {}

    /** The characters in vocabulary order after the specials. */
    public static String alphabet() {
        StringBuilder sb = new StringBuilder("\n");
        for (char c = ' '; c <= '~'; c++) {
            sb.append(c);
        }
        return sb.toString();
    }

    public static int vocabSize() {
        return SPECIAL.length + alphabet().length();
    }

    /** The tokenizer.json text. */
    public static String json() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIAL.length; i++) {
            ObjectNode t = added.addObject();
            t.put("id", i);
            t.put("content", SPECIAL[i]);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "Fuse");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < SPECIAL.length; i++) {
            vocab.put(SPECIAL[i], i);
        }
        String a = alphabet();
        for (int i = 0; i < a.length(); i++) {
            vocab.put(String.valueOf(a.charAt(i)), SPECIAL.length + i);
        }
        model.putArray("merges");
        try {
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** tokenizer_config.json naming the special tokens. */
    public static String configJson() {
        return "{\n  \"bos_token\": \"<s>\",\n  \"eos_token\": \"</s>\",\n  \"pad_token\": \"<pad>\",\n"
                + "  \"add_bos_token\": false,\n  \"tokenizer_class\": \"PreTrainedTokenizerFast\"\n}\n";
    }
}
