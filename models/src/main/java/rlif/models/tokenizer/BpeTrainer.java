package rlif.models.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import rlif.models.BadInputException;

/**
 * Learns a byte-level BPE vocabulary from text, with the rules of Hugging Face tokenizers' {@code BpeTrainer}
 * (special tokens first, then the 256 byte symbols in code-point order, then one token per merge), so the same
 * corpus gives the same merges in the same order:
 *
 * <ol>
 *   <li>pre-tokenize every text with {@link ByteLevel#pieces} and count each distinct piece ("word");
 *   <li>spell every word as byte symbols;
 *   <li>repeatedly count adjacent symbol pairs over all words (weighted by the word's count), merge the most
 *       frequent pair everywhere (left to right, non-overlapping), ties going to the pair of smaller ids, until the
 *       vocabulary has {@code vocabSize} tokens or no pair occurs {@code minFrequency} times.
 * </ol>
 *
 * <p>Pairs are recounted from scratch after every merge: simple and exact, and fast enough for the few thousand
 * merges of a small vocabulary (one pass over the distinct words per merge).
 */
public final class BpeTrainer {
    /** Largest vocabulary this trainer builds: far above the small models it is for. */
    static final int MAX_VOCAB = 1 << 16;

    private final int vocabSize;
    private final long minFrequency;
    private final List<String> specials;

    /** One learned merge: the two tokens whose concatenation became a new token. */
    public record Merge(String left, String right) {}

    /**
     * What training learned.
     *
     * @param tokens every token in id order (specials, byte symbols, merged tokens)
     * @param merges the merges in the order they were learned (their rank)
     * @param segmentation every training word (in byte-level spelling) as the tokens training left it in
     */
    public record Vocabulary(List<String> tokens, List<Merge> merges, Map<String, List<String>> segmentation) {
        public Vocabulary {
            tokens = List.copyOf(tokens);
            merges = List.copyOf(merges);
            segmentation = Map.copyOf(segmentation);
        }
    }

    /**
     * @param vocabSize tokens wanted in total, specials and the 256 byte symbols included
     * @param minFrequency a pair is merged only if it occurs at least this often (at least 1)
     * @param specials special tokens, given ids 0, 1, ... in this order
     */
    public BpeTrainer(int vocabSize, long minFrequency, List<String> specials) {
        int floor = specials.size() + 256;
        if (vocabSize < floor || vocabSize > MAX_VOCAB) {
            throw new BadInputException("BPE vocabulary size must be " + floor + ".." + MAX_VOCAB
                    + " (the special tokens plus 256 byte symbols at least), got " + vocabSize);
        }
        if (specials.stream().distinct().count() != specials.size()) {
            throw new BadInputException("BPE special tokens must be distinct, got " + specials);
        }
        this.vocabSize = vocabSize;
        this.minFrequency = Math.max(1, minFrequency);
        this.specials = List.copyOf(specials);
    }

    /** Distinct pre-tokenized pieces of {@code texts} with their counts. */
    public static Map<String, Long> countWords(Iterable<String> texts) {
        Map<String, Long> counts = new TreeMap<>();
        for (String text : texts) {
            for (String piece : ByteLevel.pieces(text)) {
                counts.merge(piece, 1L, Long::sum);
            }
        }
        return counts;
    }

    /** Learns the vocabulary of the pre-tokenized words {@code wordCounts} (see {@link #countWords}). */
    public Vocabulary train(Map<String, Long> wordCounts) {
        List<String> tokens = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        for (String s : specials) {
            add(s, tokens, ids);
        }
        for (String c : ByteLevel.alphabet()) {
            if (!ids.containsKey(c)) {
                add(c, tokens, ids);
            }
        }
        List<String> words = new ArrayList<>(wordCounts.keySet());
        long[] counts = new long[words.size()];
        int[][] symbols = new int[words.size()][];
        for (int w = 0; w < words.size(); w++) {
            String word = words.get(w);
            counts[w] = wordCounts.get(word);
            symbols[w] = new int[word.length()];
            for (int i = 0; i < word.length(); i++) {
                Integer id = ids.get(String.valueOf(word.charAt(i)));
                if (id == null) {
                    throw new IllegalArgumentException("word '" + word + "' is not spelled in byte-level symbols");
                }
                symbols[w][i] = id;
            }
        }
        List<Merge> merges = new ArrayList<>();
        while (tokens.size() < vocabSize) {
            long best = mostFrequentPair(symbols, counts);
            if (best < 0) {
                break;
            }
            int left = (int) (best >>> 32);
            int right = (int) best;
            String merged = tokens.get(left) + tokens.get(right);
            Integer id = ids.get(merged);
            if (id == null) {
                id = add(merged, tokens, ids);
            }
            merges.add(new Merge(tokens.get(left), tokens.get(right)));
            for (int w = 0; w < symbols.length; w++) {
                symbols[w] = applyMerge(symbols[w], left, right, id);
            }
        }
        Map<String, List<String>> segmentation = new LinkedHashMap<>();
        for (int w = 0; w < words.size(); w++) {
            List<String> parts = new ArrayList<>(symbols[w].length);
            for (int id : symbols[w]) {
                parts.add(tokens.get(id));
            }
            segmentation.put(words.get(w), parts);
        }
        return new Vocabulary(tokens, merges, segmentation);
    }

    /**
     * The pair {@code (left << 32) | right} occurring most often (overlapping windows counted, as Hugging Face
     * counts them), the smaller pair on ties; -1 when none occurs {@code minFrequency} times.
     */
    private long mostFrequentPair(int[][] symbols, long[] counts) {
        Map<Long, Long> pairCounts = new HashMap<>();
        for (int w = 0; w < symbols.length; w++) {
            int[] s = symbols[w];
            for (int i = 0; i + 1 < s.length; i++) {
                pairCounts.merge(((long) s[i] << 32) | s[i + 1], counts[w], Long::sum);
            }
        }
        long best = -1;
        long bestCount = 0;
        for (Map.Entry<Long, Long> e : pairCounts.entrySet()) {
            long c = e.getValue();
            if (c > bestCount || (c == bestCount && e.getKey() < best)) {
                best = e.getKey();
                bestCount = c;
            }
        }
        return bestCount >= minFrequency ? best : -1;
    }

    /** {@code s} with every non-overlapping occurrence of (left, right), scanned left to right, replaced by id. */
    static int[] applyMerge(int[] s, int left, int right, int id) {
        int[] out = null;
        int n = 0;
        for (int i = 0; i < s.length; i++) {
            if (i + 1 < s.length && s[i] == left && s[i + 1] == right) {
                if (out == null) {
                    out = new int[s.length - 1];
                    System.arraycopy(s, 0, out, 0, i);
                    n = i;
                }
                out[n++] = id;
                i++;
            } else if (out != null) {
                out[n++] = s[i];
            }
        }
        return out == null ? s : java.util.Arrays.copyOf(out, n);
    }

    private static int add(String token, List<String> tokens, Map<String, Integer> ids) {
        int id = tokens.size();
        tokens.add(token);
        ids.put(token, id);
        return id;
    }
}
