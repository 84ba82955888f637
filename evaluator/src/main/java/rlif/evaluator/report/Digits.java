package rlif.evaluator.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import rlif.evaluator.metrics.Interval;

/**
 * Numbers as people read them: four significant digits, plain notation where that stays short
 * ({@code 0.07213}, {@code 10.37}, {@code -330.1}, {@code 0.003205}), scientific beyond
 * ({@code 3.2e-07}); {@code n/a} for an undefined value. Machine-readable files keep full precision; this is
 * for tables, summaries and chart labels.
 */
public final class Digits {
    private static final int SIGNIFICANT = 4;

    private Digits() {}

    public static String of(double x) {
        return of(x, SIGNIFICANT);
    }

    public static String of(double x, int significant) {
        if (Double.isNaN(x)) {
            return "n/a";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (x == 0) {
            return "0";
        }
        double a = Math.abs(x);
        BigDecimal rounded = new BigDecimal(x).round(new MathContext(significant));
        if (a < 1e-4 || a >= 1e9) {
            String s = String.format(java.util.Locale.ROOT, "%." + (significant - 1) + "e", x);
            return s.replaceFirst("\\.?0+e", "e").replaceFirst("e([+-])0*(\\d)", "e$1$2").replace("e+", "e");
        }
        return rounded.stripTrailingZeros().toPlainString();
    }

    /** {@code x} with exactly {@code decimals} decimals, trailing zeros dropped (for axis labels). */
    public static String fixed(double x, int decimals) {
        BigDecimal d = new BigDecimal(x).setScale(Math.max(0, decimals), java.math.RoundingMode.HALF_EVEN);
        String s = d.stripTrailingZeros().toPlainString();
        return s.equals("-0") ? "0" : s;
    }

    /** {@code [low, high]} of a 95% interval, or {@code n/a}. */
    public static String interval(Interval i) {
        return i.isDefined() ? "[" + of(i.low(), 3) + ", " + of(i.high(), 3) + "]" : "n/a";
    }

    /** {@code estimate [low, high]}, e.g. {@code 0.3906 [0.31, 0.48]}. */
    public static String withInterval(Interval i) {
        return of(i.estimate()) + (i.isDefined() ? " " + interval(i) : "");
    }

    /** A number of {@code summary.json}: integers as they are, others to four digits, null as {@code n/a}. */
    public static String of(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "n/a";
        }
        return n.isIntegralNumber() ? n.asText() : of(n.asDouble());
    }

    /** A rate of {@code summary.json} with its {@code _ci95} pair: {@code 0.3906 [0.31, 0.48]}. */
    public static String withInterval(JsonNode value, JsonNode ci95) {
        if (ci95 == null || !ci95.isArray() || ci95.size() != 2) {
            return of(value);
        }
        return of(value) + " [" + of(ci95.get(0).asDouble(), 3) + ", " + of(ci95.get(1).asDouble(), 3) + "]";
    }
}
