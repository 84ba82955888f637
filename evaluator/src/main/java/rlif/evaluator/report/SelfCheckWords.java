package rlif.evaluator.report;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The self-checking words the paper watches RLIF remove ("wait", "but", "let me"), counted per completion: whole
 * words, case-insensitive, "let me" as one occurrence. Any model's text, so {@code summary.json} reports them for
 * every score run, not only the organism's (whose demo counts a wider set per word, {@code transitional_rate}).
 */
public final class SelfCheckWords {
    /** The words, in the order {@link #count} returns them. */
    public static final List<String> WORDS = List.of("wait", "but", "let me");

    private static final List<Pattern> PATTERNS = WORDS.stream()
            .map(w -> Pattern.compile("\\b" + w.replace(" ", "\\s+") + "\\b")).toList();

    private SelfCheckWords() {}

    /** Occurrences of each of {@link #WORDS} in {@code text} (all zero for null). */
    public static int[] count(String text) {
        int[] n = new int[WORDS.size()];
        if (text == null) {
            return n;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        for (int i = 0; i < n.length; i++) {
            Matcher m = PATTERNS.get(i).matcher(lower);
            while (m.find()) {
                n[i]++;
            }
        }
        return n;
    }
}
