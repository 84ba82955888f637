package rlif.models.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import rlif.models.io.AtomicFiles;

/**
 * Writes a byte-level BPE vocabulary learned by {@link BpeTrainer} as the standard Hugging Face pair
 * {@code tokenizer.json} + {@code tokenizer_config.json}, laid out like GPT-2's and SmolLM2's: a {@code BPE} model
 * with {@code ByteLevel} pre-tokenizer and decoder, special tokens as added tokens, and a post-processor that
 * prepends {@code <s>} when special tokens are asked for (as {@code rlif score} encodes plain prompts).
 *
 * <p>The special tokens are {@link #SPECIALS}: {@code <pad>} 0, {@code <s>} 1 (bos), {@code </s>} 2 (eos),
 * {@code <|user|>} 3 and {@code <|assistant|>} 4, the markers of the chat template
 * {@code <s><|user|>\nQUESTION\n<|assistant|>\n}.
 */
public final class BpeTokenizerFiles {
    public static final String PAD = "<pad>";
    public static final String BOS = "<s>";
    public static final String EOS = "</s>";
    public static final String USER = "<|user|>";
    public static final String ASSISTANT = "<|assistant|>";
    /** The special tokens, in id order. */
    public static final List<String> SPECIALS = List.of(PAD, BOS, EOS, USER, ASSISTANT);
    /**
     * One user turn, then the assistant's answer closed by eos (when the conversation has one) or the opened
     * assistant turn ({@code add_generation_prompt}). Content is trimmed, so a question given with a trailing
     * newline renders like one given without.
     */
    public static final String CHAT_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
            + "{% if message['role'] == 'user' %}{{ '" + USER + "\\n' + (message['content'] | trim) + '\\n' }}"
            + "{% elif message['role'] == 'assistant' %}{{ '" + ASSISTANT + "\\n' + (message['content'] | trim)"
            + " + eos_token + '\\n' }}{% endif %}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '" + ASSISTANT + "\\n' }}{% endif %}";

    private BpeTokenizerFiles() {}

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} of {@code vocab} into {@code dir}. */
    public static void write(Path dir, BpeTrainer.Vocabulary vocab) {
        if (!vocab.tokens().subList(0, SPECIALS.size()).equals(SPECIALS)) {
            throw new IllegalArgumentException("the vocabulary must start with the special tokens " + SPECIALS);
        }
        AtomicFiles.writeString(dir.resolve("tokenizer.json"), text(tokenizerJson(vocab)));
        AtomicFiles.writeString(dir.resolve("tokenizer_config.json"), text(tokenizerConfig()));
    }

    static ObjectNode tokenizerJson(BpeTrainer.Vocabulary vocab) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < SPECIALS.size(); id++) {
            ObjectNode t = added.addObject();
            t.put("id", id);
            t.put("content", SPECIALS.get(id));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(false, true));
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
        bos.putArray("ids").add(SPECIALS.indexOf(BOS));
        bos.putArray("tokens").add(BOS);
        root.set("decoder", byteLevel(true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode v = model.putObject("vocab");
        for (int id = 0; id < vocab.tokens().size(); id++) {
            v.put(vocab.tokens().get(id), id);
        }
        ArrayNode merges = model.putArray("merges");
        for (BpeTrainer.Merge m : vocab.merges()) {
            merges.addArray().add(m.left()).add(m.right());
        }
        return root;
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", addPrefixSpace);
        n.put("trim_offsets", trimOffsets);
        n.put("use_regex", true);
        return n;
    }

    static ObjectNode tokenizerConfig() {
        ObjectNode cfg = JsonNodeFactory.instance.objectNode();
        cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        cfg.put("bos_token", BOS);
        cfg.put("eos_token", EOS);
        cfg.put("pad_token", PAD);
        cfg.put("add_bos_token", true);
        cfg.put("clean_up_tokenization_spaces", false);
        cfg.put("model_max_length", 1024);
        cfg.put("chat_template", CHAT_TEMPLATE);
        return cfg;
    }

    private static String text(ObjectNode node) {
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the BPE tokenizer", e);
        }
    }
}
