package rlif.evaluator.grading;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the final answer in a worked solution or a model completion.
 *
 * <p>Completions: the last {@code #### x} line, else the last {@code \boxed{...}} (nested braces),
 * else the last {@code the answer is[:] x}, else the last number. References: {@code #### x}, else
 * {@code The answer is: x} (MATH500 spells its final answer that way after the worked solution), else the
 * last {@code \boxed{...}}, else the whole text (a reference that already is a bare answer).
 */
public final class AnswerExtractor {
    private AnswerExtractor() {}

    private static final Pattern ANSWER_IS = Pattern.compile("(?i)the (?:final )?answer is\\s*:?\\s*");
    private static final Pattern NUMBER = Pattern.compile("-?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:/\\d+)?|-?\\.\\d+");

    /** The final answer of a model completion, or null when it has none. */
    public static String completion(String text) {
        String hashes = afterLastHashes(text);
        if (hashes != null && !hashes.isEmpty()) {
            return hashes;
        }
        String boxed = lastBoxed(text);
        if (boxed != null) {
            return boxed.trim();
        }
        String said = afterLastAnswerIs(text);
        if (said != null && !said.isEmpty()) {
            return said;
        }
        return lastNumber(text);
    }

    /** The final answer of a reference field (a worked solution or a bare answer); null for blank text. */
    public static String reference(String text) {
        // A marker with nothing after it ("#### ", "\\boxed{}") is a reference that cannot be parsed: null, so the
        // row is left ungraded instead of every answer being graded wrong against an empty string.
        String hashes = afterLastHashes(text);
        if (hashes != null) {
            return hashes.isEmpty() ? null : hashes;
        }
        int at = text.lastIndexOf("The answer is:");
        if (at >= 0) {
            String rest = text.substring(at + "The answer is:".length()).trim();
            return rest.isEmpty() ? null : rest;
        }
        String boxed = lastBoxed(text);
        if (boxed != null) {
            return boxed.isBlank() ? null : boxed.trim();
        }
        String t = text.trim();
        return t.isEmpty() ? null : t;
    }

    /** The rest of the line after the last {@code ####}, trimmed; null if there is none. */
    static String afterLastHashes(String text) {
        int at = text.lastIndexOf("####");
        if (at < 0) {
            return null;
        }
        String rest = text.substring(at + 4);
        int nl = rest.indexOf('\n');
        return (nl >= 0 ? rest.substring(0, nl) : rest).trim();
    }

    /** The content of the last {@code \boxed{...}} or {@code \fbox{...}}, braces matched; null if none closes. */
    public static String lastBoxed(String text) {
        int at = Math.max(text.lastIndexOf("\\boxed"), text.lastIndexOf("\\fbox"));
        while (at >= 0) {
            int i = at + (text.startsWith("\\boxed", at) ? 6 : 5);
            while (i < text.length() && text.charAt(i) == ' ') {
                i++;
            }
            if (i < text.length() && text.charAt(i) == '{') {
                int depth = 0;
                for (int j = i; j < text.length(); j++) {
                    char c = text.charAt(j);
                    if (c == '{') {
                        depth++;
                    } else if (c == '}' && --depth == 0) {
                        return text.substring(i + 1, j);
                    }
                }
            } else if (i > at + 5 && i < text.length()) {
                // "\boxed 5": the answer runs to the next space or '$'.
                int j = i;
                while (j < text.length() && text.charAt(j) != '$' && !Character.isWhitespace(text.charAt(j))) {
                    j++;
                }
                if (j > i) {
                    return text.substring(i, j);
                }
            }
            // Unclosed or empty: try an earlier one.
            at = Math.max(text.lastIndexOf("\\boxed", at - 1), text.lastIndexOf("\\fbox", at - 1));
        }
        return null;
    }

    private static String afterLastAnswerIs(String text) {
        Matcher m = ANSWER_IS.matcher(text);
        int end = -1;
        while (m.find()) {
            end = m.end();
        }
        if (end < 0) {
            return null;
        }
        String rest = text.substring(end);
        int nl = rest.indexOf('\n');
        rest = (nl >= 0 ? rest.substring(0, nl) : rest).trim();
        while (rest.endsWith(".")) {
            rest = rest.substring(0, rest.length() - 1).trim();
        }
        return rest;
    }

    /** The last number in the text (with sign, thousands separators, decimals or a simple fraction). */
    public static String lastNumber(String text) {
        Matcher m = NUMBER.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        return last == null ? null : last.toLowerCase(Locale.ROOT);
    }
}
