package rlif.models.gguf;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import rlif.models.BadInputException;

/**
 * Rebuilds the Hugging Face {@code tokenizer.json} and {@code tokenizer_config.json} of a GGUF's embedded
 * tokenizer ({@code tokenizer.ggml.*} metadata), so the imported model tokenizes as the original did.
 *
 * <ul>
 *   <li>{@code gpt2}: byte-level BPE (GPT-2, SmolLM, Qwen, Llama 3): tokens and merges as stored; the
 *       pre-tokenizer split chosen by {@code tokenizer.ggml.pre}.
 *   <li>{@code llama}: SentencePiece BPE (Llama 2, Mistral): tokens and scores; merges recovered from the
 *       vocabulary as Hugging Face's converter does (every split of a piece into two pieces, ordered by the
 *       merged piece's score), byte fallback for {@code <0xXX>} tokens.
 * </ul>
 */
public final class GgufTokenizer {
    /** llama.cpp token types ({@code llama_token_type}). */
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;

    // Pre-tokenizer split patterns llama.cpp associates with tokenizer.ggml.pre; these are the regexes of the
    // original Hugging Face tokenizers.
    private static final String QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}|"
            + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|"
            + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final GgufFile gguf;
    private final String model;
    private final List<String> tokens;
    private final int[] types;

    private GgufTokenizer(GgufFile gguf, String model, List<String> tokens, int[] types) {
        this.gguf = gguf;
        this.model = model;
        this.tokens = tokens;
        this.types = types;
    }

    /** Reads the tokenizer metadata of {@code gguf}; fails when there is none or it is inconsistent. */
    public static GgufTokenizer of(GgufFile gguf) {
        String model = gguf.string("tokenizer.ggml.model").orElseThrow(() -> gguf.bad(
                "no tokenizer.ggml.model: the file carries no tokenizer"));
        List<String> tokens = stringArray(gguf, "tokenizer.ggml.tokens").orElseThrow(() -> gguf.bad(
                "no tokenizer.ggml.tokens"));
        if (tokens.isEmpty()) {
            throw gguf.bad("tokenizer.ggml.tokens is empty");
        }
        int[] types = new int[tokens.size()];
        java.util.Arrays.fill(types, NORMAL);
        Optional<GgufArray> typeArray = gguf.array("tokenizer.ggml.token_type");
        if (typeArray.isPresent()) {
            GgufArray a = typeArray.get();
            if (a.size() != tokens.size() || !a.elementType().isInteger()) {
                throw gguf.bad("tokenizer.ggml.token_type has " + a.size() + " " + a.elementType() + " entries for "
                        + tokens.size() + " tokens");
            }
            for (int i = 0; i < types.length; i++) {
                types[i] = (int) a.integer(i);
            }
        }
        return new GgufTokenizer(gguf, model, tokens, types);
    }

    private static Optional<List<String>> stringArray(GgufFile gguf, String key) {
        Optional<GgufArray> a = gguf.array(key);
        if (a.isPresent() && a.get().elementType() != GgufValueType.STRING) {
            throw gguf.bad(key + " is an array of " + a.get().elementType() + ", expected strings");
        }
        return a.map(GgufArray::strings);
    }

    public int vocabSize() {
        return tokens.size();
    }

    /** The token string of a special-token id key ({@code tokenizer.ggml.bos_token_id} etc.), if set and valid. */
    public Optional<String> specialToken(String idKey) {
        return specialId(idKey).stream().mapToObj(tokens::get).findFirst();
    }

    /** A special token id from metadata, checked to be inside the vocabulary. */
    public java.util.OptionalInt specialId(String idKey) {
        java.util.OptionalLong id = gguf.integer(idKey);
        if (id.isEmpty()) {
            return java.util.OptionalInt.empty();
        }
        if (id.getAsLong() < 0 || id.getAsLong() >= tokens.size()) {
            throw gguf.bad(idKey + " = " + id.getAsLong() + " is outside the vocabulary of " + tokens.size());
        }
        return java.util.OptionalInt.of((int) id.getAsLong());
    }

    private boolean addBos() {
        return gguf.bool("tokenizer.ggml.add_bos_token").orElse(model.equals("llama"));
    }

    /** The {@code tokenizer.json} document. */
    public ObjectNode tokenizerJson() {
        ObjectNode root = JSON.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.set("added_tokens", addedTokens());
        switch (model) {
            case "gpt2" -> byteLevelBpe(root);
            case "llama" -> sentencePieceBpe(root);
            default -> throw gguf.bad("tokenizer.ggml.model '" + model + "' is not supported; gpt2 (byte-level BPE) "
                    + "and llama (SentencePiece BPE) are");
        }
        return root;
    }

    private ArrayNode addedTokens() {
        ArrayNode added = JSON.arrayNode();
        for (int id = 0; id < tokens.size(); id++) {
            int t = types[id];
            if (t == CONTROL || t == USER_DEFINED || t == UNKNOWN) {
                ObjectNode a = added.addObject();
                a.put("id", id);
                a.put("content", tokens.get(id));
                a.put("single_word", false);
                a.put("lstrip", false);
                a.put("rstrip", false);
                a.put("normalized", false);
                a.put("special", t != USER_DEFINED);
            }
        }
        return added;
    }

    private ObjectNode vocab() {
        ObjectNode vocab = JSON.objectNode();
        for (int id = 0; id < tokens.size(); id++) {
            // A token string seen twice keeps its first id, as Hugging Face's vocab map would.
            if (!vocab.has(tokens.get(id))) {
                vocab.put(tokens.get(id), id);
            }
        }
        return vocab;
    }

    private void byteLevelBpe(ObjectNode root) {
        List<String> merges = stringArray(gguf, "tokenizer.ggml.merges").orElseThrow(() -> gguf.bad(
                "tokenizer.ggml.model is gpt2 but tokenizer.ggml.merges is missing"));
        root.putNull("normalizer");
        String pre = gguf.string("tokenizer.ggml.pre").orElse("default");
        ObjectNode preTokenizer = preTokenizer(pre);
        if (preTokenizer == null) {
            // a wrong split would tokenize differently from the original without any error: refuse instead
            throw gguf.bad("tokenizer.ggml.pre '" + pre + "' is not a pre-tokenizer rlif knows (default, gpt2, "
                    + "smollm, starcoder, refact, qwen2, llama-bpe, llama3)");
        }
        root.set("pre_tokenizer", preTokenizer);
        root.set("post_processor", addBos() ? bosTemplate() : byteLevel(true, false));
        root.set("decoder", byteLevel(true, true));
        ObjectNode m = root.putObject("model");
        m.put("type", "BPE");
        m.putNull("dropout");
        m.putNull("unk_token");
        m.put("continuing_subword_prefix", "");
        m.put("end_of_word_suffix", "");
        m.put("fuse_unk", false);
        m.put("byte_fallback", false);
        m.put("ignore_merges", false);
        ObjectNode vocab = vocab();
        m.set("vocab", vocab);
        ArrayNode mergeArray = m.putArray("merges");
        for (int i = 0; i < merges.size(); i++) {
            String s = merges.get(i);
            int space = s.indexOf(' ', 1);
            if (space < 0 || s.indexOf(' ', space + 1) >= 0) {
                throw gguf.bad("tokenizer.ggml.merges[" + i + "] '" + s + "' is not two tokens separated by a space");
            }
            String left = s.substring(0, space);
            String right = s.substring(space + 1);
            // the tokenizers library refuses a merge whose halves or result are not tokens; say so here instead
            if (!vocab.has(left) || !vocab.has(right) || !vocab.has(left + right)) {
                throw gguf.bad("tokenizer.ggml.merges[" + i + "] '" + s + "' merges or makes a string that is not a token");
            }
            mergeArray.addArray().add(left).add(right);
        }
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
        ObjectNode n = JSON.objectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", addPrefixSpace);
        n.put("trim_offsets", trimOffsets);
        n.put("use_regex", true);
        return n;
    }

    /** The pre-tokenizer of the original tokenizer family named by {@code tokenizer.ggml.pre}, null if unknown. */
    static ObjectNode preTokenizer(String pre) {
        ObjectNode byteLevelNoRegex = JSON.objectNode();
        byteLevelNoRegex.put("type", "ByteLevel");
        byteLevelNoRegex.put("add_prefix_space", false);
        byteLevelNoRegex.put("trim_offsets", false);
        byteLevelNoRegex.put("use_regex", false);
        return switch (pre) {
            case "smollm", "starcoder", "refact" -> { // digits one by one, then GPT-2's byte-level split
                ObjectNode digits = JSON.objectNode();
                digits.put("type", "Digits");
                digits.put("individual_digits", true);
                ObjectNode bl = byteLevel(false, true);
                yield sequence(digits, bl);
            }
            case "qwen2" -> sequence(split(QWEN2_SPLIT), byteLevelNoRegex);
            case "llama-bpe", "llama3" -> sequence(split(LLAMA3_SPLIT), byteLevelNoRegex);
            case "gpt2", "default" -> byteLevel(false, true); // GPT-2's own regex inside ByteLevel
            default -> null;
        };
    }

    private static ObjectNode split(String regex) {
        ObjectNode s = JSON.objectNode();
        s.put("type", "Split");
        s.putObject("pattern").put("Regex", regex);
        s.put("behavior", "Isolated");
        s.put("invert", false);
        return s;
    }

    private static ObjectNode sequence(ObjectNode... parts) {
        ObjectNode s = JSON.objectNode();
        s.put("type", "Sequence");
        ArrayNode a = s.putArray("pretokenizers");
        for (ObjectNode p : parts) {
            a.add(p);
        }
        return s;
    }

    private ObjectNode bosTemplate() {
        int bos = specialId("tokenizer.ggml.bos_token_id").orElseThrow(() -> gguf.bad(
                "tokenizer.ggml.add_bos_token is set but tokenizer.ggml.bos_token_id is missing"));
        String bosText = tokens.get(bos);
        ObjectNode p = JSON.objectNode();
        p.put("type", "TemplateProcessing");
        ArrayNode single = p.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", bosText).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = p.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", bosText).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", bosText).put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode special = p.putObject("special_tokens").putObject(bosText);
        special.put("id", bosText);
        special.putArray("ids").add(bos);
        special.putArray("tokens").add(bosText);
        return p;
    }

    private void sentencePieceBpe(ObjectNode root) {
        Optional<GgufArray> scoresArray = gguf.array("tokenizer.ggml.scores");
        double[] scores = new double[tokens.size()];
        if (scoresArray.isPresent()) {
            GgufArray a = scoresArray.get();
            if (a.size() != tokens.size() || a.elementType() == GgufValueType.STRING
                    || a.elementType() == GgufValueType.ARRAY) {
                throw gguf.bad("tokenizer.ggml.scores has " + a.size() + " " + a.elementType() + " entries for "
                        + tokens.size() + " tokens");
            }
            for (int i = 0; i < scores.length; i++) {
                scores[i] = a.number(i);
            }
        } else {
            for (int i = 0; i < scores.length; i++) {
                scores[i] = -i; // no scores: earlier pieces were learnt first
            }
        }
        boolean addSpacePrefix = gguf.bool("tokenizer.ggml.add_space_prefix").orElse(true);
        ArrayNode normalizers = JSON.arrayNode();
        if (addSpacePrefix) {
            normalizers.addObject().put("type", "Prepend").put("prepend", "\u2581");
        }
        ObjectNode replace = normalizers.addObject();
        replace.put("type", "Replace");
        replace.putObject("pattern").put("String", " ");
        replace.put("content", "\u2581");
        ObjectNode normalizer = root.putObject("normalizer");
        normalizer.put("type", "Sequence");
        normalizer.set("normalizers", normalizers);
        root.putNull("pre_tokenizer");
        root.set("post_processor", addBos() ? bosTemplate() : null);
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "Sequence");
        ArrayNode decoders = decoder.putArray("decoders");
        ObjectNode rep = decoders.addObject();
        rep.put("type", "Replace");
        rep.putObject("pattern").put("String", "\u2581");
        rep.put("content", " ");
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        if (addSpacePrefix) {
            decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        }
        ObjectNode m = root.putObject("model");
        m.put("type", "BPE");
        m.putNull("dropout");
        int unk = specialId("tokenizer.ggml.unknown_token_id").orElse(-1);
        if (unk >= 0) {
            m.put("unk_token", tokens.get(unk));
        } else {
            m.putNull("unk_token");
        }
        m.putNull("continuing_subword_prefix");
        m.putNull("end_of_word_suffix");
        m.put("fuse_unk", true);
        m.put("byte_fallback", true);
        m.put("ignore_merges", false);
        m.set("vocab", vocab());
        ArrayNode merges = m.putArray("merges");
        for (String[] merge : sentencePieceMerges(scores)) {
            merges.addArray().add(merge[0]).add(merge[1]);
        }
    }

    /**
     * Merges implied by a SentencePiece BPE vocabulary: every way to split a normal piece into two pieces that are
     * both in the vocabulary, ordered by the merged piece's score (highest first), then by the ids of the halves.
     */
    List<String[]> sentencePieceMerges(double[] scores) {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            ids.putIfAbsent(tokens.get(i), i);
        }
        record Merge(String left, String right, double score, int leftId, int rightId) {}
        List<Merge> merges = new ArrayList<>();
        for (int id = 0; id < tokens.size(); id++) {
            if (types[id] != NORMAL && types[id] != USER_DEFINED) {
                continue;
            }
            String piece = tokens.get(id);
            if (piece.codePointCount(0, piece.length()) < 2) {
                continue;
            }
            for (int cut = piece.offsetByCodePoints(0, 1); cut < piece.length(); cut = piece.offsetByCodePoints(cut, 1)) {
                Integer l = ids.get(piece.substring(0, cut));
                Integer r = ids.get(piece.substring(cut));
                if (l != null && r != null) {
                    merges.add(new Merge(piece.substring(0, cut), piece.substring(cut), scores[id], l, r));
                }
            }
        }
        merges.sort(Comparator.comparingDouble(Merge::score).reversed()
                .thenComparingInt(Merge::leftId).thenComparingInt(Merge::rightId));
        return merges.stream().map(m -> new String[] {m.left(), m.right()}).toList();
    }

    /** The {@code tokenizer_config.json} document: special tokens and the chat template. */
    public ObjectNode tokenizerConfig(long contextLength) {
        ObjectNode c = JSON.objectNode();
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        c.put("add_bos_token", addBos());
        c.put("add_eos_token", gguf.bool("tokenizer.ggml.add_eos_token").orElse(false));
        specialToken("tokenizer.ggml.bos_token_id").ifPresent(t -> c.put("bos_token", t));
        specialToken("tokenizer.ggml.eos_token_id").ifPresent(t -> c.put("eos_token", t));
        specialToken("tokenizer.ggml.unknown_token_id").ifPresent(t -> c.put("unk_token", t));
        specialToken("tokenizer.ggml.padding_token_id").ifPresent(t -> c.put("pad_token", t));
        gguf.string("tokenizer.chat_template").ifPresent(t -> c.put("chat_template", t));
        c.put("clean_up_tokenization_spaces", false);
        if (contextLength > 0) {
            c.put("model_max_length", contextLength);
        }
        return c;
    }

    /** Throws when a model's embedding rows cannot hold every token id. */
    public void checkFits(long embeddingRows) {
        if (tokens.size() > embeddingRows) {
            throw new BadInputException(gguf.path() + ": the tokenizer has " + tokens.size()
                    + " tokens but the embedding has only " + embeddingRows + " rows");
        }
    }
}
