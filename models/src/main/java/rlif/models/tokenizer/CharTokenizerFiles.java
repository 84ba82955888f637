package rlif.models.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import rlif.models.io.AtomicFiles;

/**
 * Writes a character-level Hugging Face tokenizer (one token per printable ASCII character and newline)
 * for the project's own small models.
 *
 * <p>It is a BPE model with an empty merge list: BPE splits text into single characters and, with no
 * merges, stops there, which every Hugging Face tokenizers implementation supports. The {@code Fuse}
 * decoder joins tokens without the spaces BPE decoding would otherwise insert. Ids 0-3 are the special
 * tokens {@code <pad>}, {@code <bos>}, {@code <eos>}, {@code <unk>}; {@code encode} with special tokens
 * prepends {@code <bos>}.
 */
public final class CharTokenizerFiles {
    public static final String PAD = "<pad>";
    public static final String BOS = "<bos>";
    public static final String EOS = "<eos>";
    public static final String UNK = "<unk>";
    public static final int PAD_ID = 0;
    public static final int BOS_ID = 1;
    public static final int EOS_ID = 2;
    public static final int UNK_ID = 3;

    private CharTokenizerFiles() {}

    /** The characters of the vocabulary, in id order after the four special tokens. */
    public static List<String> alphabet() {
        List<String> chars = new ArrayList<>();
        chars.add("\n");
        for (char c = 32; c < 127; c++) {
            chars.add(String.valueOf(c));
        }
        return chars;
    }

    /** Vocabulary size: the special tokens plus the alphabet. */
    public static int vocabSize() {
        return 4 + alphabet().size();
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}. */
    public static void write(Path dir) {
        AtomicFiles.writeString(dir.resolve("tokenizer.json"), tokenizerJson());
        AtomicFiles.writeString(dir.resolve("tokenizer_config.json"), text(tokenizerConfig()));
    }

    /** The text of {@code tokenizer.json}. */
    public static String tokenizerJson() {
        return text(tokenizerJsonTree());
    }

    private static String text(ObjectNode node) {
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the character tokenizer", e);
        }
    }

    static ObjectNode tokenizerJsonTree() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        String[] specials = {PAD, BOS, EOS, UNK};
        for (int id = 0; id < specials.length; id++) {
            ObjectNode t = added.addObject();
            t.put("id", id);
            t.put("content", specials[id]);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.putNull("pre_tokenizer");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bos = post.putObject("special_tokens").putObject(BOS);
        bos.put("id", BOS);
        bos.putArray("ids").add(BOS_ID);
        bos.putArray("tokens").add(BOS);
        root.putObject("decoder").put("type", "Fuse");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", UNK);
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < specials.length; id++) {
            vocab.put(specials[id], id);
        }
        int id = specials.length;
        for (String c : alphabet()) {
            vocab.put(c, id++);
        }
        model.putArray("merges");
        return root;
    }

    static ObjectNode tokenizerConfig() {
        ObjectNode cfg = JsonNodeFactory.instance.objectNode();
        cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        cfg.put("bos_token", BOS);
        cfg.put("eos_token", EOS);
        cfg.put("pad_token", PAD);
        cfg.put("unk_token", UNK);
        cfg.put("add_bos_token", true);
        cfg.put("model_max_length", 1024);
        // The "chat" format of the arith models is the plain problem text followed by a newline.
        cfg.put("chat_template", "{% for m in messages %}{{ m['content'] }}\n{% endfor %}");
        return cfg;
    }
}
