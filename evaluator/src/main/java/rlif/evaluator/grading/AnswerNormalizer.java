package rlif.evaluator.grading;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts an extracted answer in a canonical form so that equal answers written differently compare equal,
 * and reads its numeric value when it has one. See docs/grading.md for what is and is not recognised.
 */
public final class AnswerNormalizer {
    private AnswerNormalizer() {}

    /**
     * Answers longer than this are compared as trimmed text only: a real final answer is short, and the
     * unit and fraction patterns must not spend quadratic time on a runaway line of model output.
     */
    static final int MAX_NORMALIZED_LENGTH = 500;

    /** Two numbers are the same answer within this relative tolerance. */
    public static final double RELATIVE_TOLERANCE = 1e-4;

    private static final Pattern TEXT_WRAPPER = Pattern.compile("\\\\(?:text|textbf|textrm|mathrm|mathbf|mbox)\\s*\\{([^{}]*)\\}");
    private static final Pattern LEFT_RIGHT = Pattern.compile("\\\\(?:left|right)(?![a-zA-Z])");
    private static final Pattern SPACING = Pattern.compile("\\\\[,;:! ]|~");
    private static final Pattern DEGREES = Pattern.compile("\\^\\s*\\{?\\s*\\\\circ\\s*\\}?|°");
    private static final Pattern UNIT_SUFFIX =
            Pattern.compile("^(.*?\\d)\\s+[a-zA-Z]+(?:\\s+[a-zA-Z]+)*(?:\\^\\{?\\d\\}?)?\\.?$");
    private static final Pattern THOUSANDS = Pattern.compile("-?\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?");
    private static final Pattern VARIABLE_PREFIX = Pattern.compile("^[a-zA-Z]=(?=.)");
    private static final Pattern FRAC_DIGITS = Pattern.compile("\\\\frac(\\d)(\\d)");
    private static final Pattern FRAC_BRACE_DIGIT = Pattern.compile("\\\\frac\\{([^{}]*)\\}(\\d)");
    private static final Pattern SQRT_DIGIT = Pattern.compile("\\\\sqrt(\\d)");

    private static final Pattern DECIMAL = Pattern.compile("-?(?:\\d+(?:\\.\\d*)?|\\.\\d+)");
    private static final Pattern SLASH_FRACTION = Pattern.compile("(-?\\d+(?:\\.\\d+)?)/(-?\\d+(?:\\.\\d+)?)");
    private static final Pattern LATEX_FRACTION =
            Pattern.compile("(-?)\\\\frac\\{(-?\\d+(?:\\.\\d+)?)\\}\\{(-?\\d+(?:\\.\\d+)?)\\}");

    /** The canonical spelling of an answer (no spaces, no dollar signs, units, degrees or percent signs). */
    public static String normalize(String answer) {
        String s = answer.trim();
        if (s.length() > MAX_NORMALIZED_LENGTH) {
            return s;
        }
        s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac");
        s = s.replace("\\$", "").replace("$", "").replace("\\%", "").replace("%", "");
        s = s.replace("{,}", ",");
        s = LEFT_RIGHT.matcher(s).replaceAll("");
        s = DEGREES.matcher(s).replaceAll("");
        for (String prev = null; !s.equals(prev); ) {
            prev = s;
            s = TEXT_WRAPPER.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
        }
        s = SPACING.matcher(s).replaceAll(" ").trim();
        Matcher unit = UNIT_SUFFIX.matcher(s);
        if (unit.matches() && numericValue(withoutThousands(compact(unit.group(1)))) != null) {
            s = unit.group(1);
        }
        s = compact(s);
        while (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        s = VARIABLE_PREFIX.matcher(s).replaceFirst("");
        s = FRAC_DIGITS.matcher(s).replaceAll("\\\\frac{$1}{$2}");
        s = FRAC_BRACE_DIGIT.matcher(s).replaceAll("\\\\frac{$1}{$2}");
        s = SQRT_DIGIT.matcher(s).replaceAll("\\\\sqrt{$1}");
        return withoutThousands(s);
    }

    /** {@code 1,234,567} as {@code 1234567}; anything else (a tuple like {@code (1,2)}) is left alone. */
    private static String withoutThousands(String s) {
        return THOUSANDS.matcher(s).matches() ? s.replace(",", "") : s;
    }

    private static String compact(String s) {
        return s.replaceAll("\\s+", "");
    }

    /** The value of a normalised answer that is a number, a/b or \frac{a}{b}; null otherwise. */
    public static Double numericValue(String normalized) {
        if (DECIMAL.matcher(normalized).matches()) {
            return Double.parseDouble(normalized);
        }
        Matcher m = SLASH_FRACTION.matcher(normalized);
        if (m.matches()) {
            return ratio(1, m.group(1), m.group(2));
        }
        m = LATEX_FRACTION.matcher(normalized);
        if (m.matches()) {
            return ratio(m.group(1).isEmpty() ? 1 : -1, m.group(2), m.group(3));
        }
        return null;
    }

    private static Double ratio(int sign, String num, String den) {
        double d = Double.parseDouble(den);
        return d == 0 ? null : sign * Double.parseDouble(num) / d;
    }

    /** Whether two raw answers are the same: as numbers within the tolerance, else as normalised strings. */
    public static boolean equivalent(String a, String b) {
        String na = normalize(a);
        String nb = normalize(b);
        Double x = numericValue(na);
        Double y = numericValue(nb);
        if (x != null && y != null) {
            return x.doubleValue() == y.doubleValue()
                    || Math.abs(x - y) <= RELATIVE_TOLERANCE * Math.max(Math.abs(x), Math.abs(y));
        }
        return na.equals(nb);
    }
}
