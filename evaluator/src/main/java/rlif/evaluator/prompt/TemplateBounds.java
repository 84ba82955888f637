package rlif.evaluator.prompt;

import java.time.Duration;
import java.util.Set;
import rlif.models.BadInputException;

/**
 * Limits on a chat template that comes with a stranger's model, checked before Jinjava sees it and while it renders:
 * the template's length, how deeply its blocks ({@code if}, {@code for}, {@code macro}, ...) and its brackets nest
 * (Jinjava's parsers recurse per level: 50,000 nested {@code if}s overflow the stack, 200,000 nested parentheses never
 * finish), and the wall time of one rendering (nested loops over {@code range(65536)} would otherwise run for hours).
 * Real chat templates nest a handful of levels and render in milliseconds.
 */
final class TemplateBounds {
    /** Longest template accepted (characters); the largest published chat templates are tens of kilobytes. */
    static final int MAX_CHARS = 512 * 1024;
    /** Deepest nesting of blocks, and separately of brackets inside one tag or expression. */
    static final int MAX_DEPTH = 64;
    /** Wall time one rendering may take. */
    static final Duration RENDER_TIME = Duration.ofSeconds(10);

    private static final Set<String> OPENERS = Set.of("if", "for", "macro", "call", "filter", "raw", "block", "with",
            "autoescape", "trans", "unless");

    private TemplateBounds() {}

    /** Throws a {@link BadInputException} naming {@code where} when {@code template} exceeds a bound. */
    static void check(String template, String where) {
        if (template.length() > MAX_CHARS) {
            throw new BadInputException("chat template of " + where + " has " + template.length() + " characters; at most "
                    + MAX_CHARS + " are accepted");
        }
        int blocks = 0;
        int i = 0;
        while ((i = template.indexOf('{', i)) >= 0 && i + 1 < template.length()) {
            char kind = template.charAt(i + 1);
            if (kind != '%' && kind != '{') {
                i++;
                continue;
            }
            int end = template.indexOf(kind == '%' ? "%}" : "}}", i + 2);
            if (end < 0) {
                end = template.length();
            }
            brackets(template, i + 2, end, where);
            if (kind == '%') {
                String word = firstWord(template, i + 2, end);
                boolean blockSet = word.equals("set") && template.substring(i + 2, end).indexOf('=') < 0;
                if (OPENERS.contains(word) || blockSet) {
                    if (++blocks > MAX_DEPTH) {
                        throw new BadInputException("chat template of " + where + " nests blocks more than " + MAX_DEPTH
                                + " deep");
                    }
                } else if (word.startsWith("end")) {
                    blocks = Math.max(0, blocks - 1);
                }
            }
            i = end;
        }
    }

    private static void brackets(String t, int from, int to, String where) {
        int depth = 0;
        char quote = 0;
        for (int j = from; j < to; j++) {
            char c = t.charAt(j);
            if (quote != 0) {
                if (c == '\\') {
                    j++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                if (++depth > MAX_DEPTH) {
                    throw new BadInputException("chat template of " + where + " nests brackets more than " + MAX_DEPTH
                            + " deep in one expression");
                }
            } else if (c == ')' || c == ']' || c == '}') {
                depth = Math.max(0, depth - 1);
            }
        }
    }

    private static String firstWord(String t, int from, int to) {
        int s = from;
        while (s < to && (Character.isWhitespace(t.charAt(s)) || t.charAt(s) == '-' || t.charAt(s) == '+')) {
            s++;
        }
        int e = s;
        while (e < to && Character.isLetter(t.charAt(e))) {
            e++;
        }
        return t.substring(s, e);
    }

    /** Checked before each template node renders: past {@code deadline} (System.nanoTime), rendering stops. */
    static final class Deadline {
        private final long deadline;
        private final Duration budget;

        Deadline(Duration budget) {
            this.budget = budget;
            this.deadline = System.nanoTime() + budget.toNanos();
        }

        void check(String where) {
            if (System.nanoTime() - deadline > 0) {
                throw new RenderTimeExceeded("chat template of " + where + " took longer than " + budget.toMillis()
                        + " ms to render; refusing it");
            }
        }
    }

    /** Thrown from inside Jinjava when a rendering runs out of time. */
    static final class RenderTimeExceeded extends RuntimeException {
        RenderTimeExceeded(String message) {
            super(message);
        }
    }
}
