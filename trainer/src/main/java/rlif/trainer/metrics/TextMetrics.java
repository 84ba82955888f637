package rlif.trainer.metrics;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Surface measures of generated text that RLIF is known to move: repetition (collapse into repeated
 * tokens) and the rate of transitional, self-checking words ("wait", "but", "however", "let me check").
 */
public final class TextMetrics {
    /** Whole words or phrases, case-insensitive; "let me check" is one occurrence, not three words. */
    private static final Pattern TRANSITIONAL =
            Pattern.compile("\\b(wait|but|however|let me check|hmm|alternatively|actually)\\b");
    private static final Pattern WORD = Pattern.compile("\\S+");

    private TextMetrics() {}

    /**
     * Distinct n-grams over all n-grams of a token sequence (1 = no repetition, towards 0 = one n-gram
     * repeated); 1 for sequences shorter than n.
     */
    public static double distinctNgramRatio(int[] tokens, int n) {
        int total = tokens.length - n + 1;
        if (total <= 0) {
            return 1;
        }
        Set<List<Integer>> seen = new HashSet<>();
        for (int i = 0; i < total; i++) {
            Integer[] gram = new Integer[n];
            for (int k = 0; k < n; k++) {
                gram[k] = tokens[i + k];
            }
            seen.add(List.of(gram));
        }
        return (double) seen.size() / total;
    }

    /** Transitional words or phrases per whitespace-separated word (0 for empty text). */
    public static double transitionalRate(String text) {
        int words = 0;
        Matcher w = WORD.matcher(text);
        while (w.find()) {
            words++;
        }
        if (words == 0) {
            return 0;
        }
        int hits = 0;
        Matcher m = TRANSITIONAL.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            hits++;
        }
        return (double) hits / words;
    }
}
