package rlif.evaluator.metrics;

/**
 * An estimate with its standard error and a 95% confidence interval {@code [low, high]}. A part that the
 * data cannot support (too few problems, an empty class) is NaN, which {@code summary.json} writes as null.
 */
public record Interval(double estimate, double stderr, double low, double high) {
    /** The 97.5% quantile of the standard normal, for two-sided 95% intervals. */
    public static final double Z95 = 1.959963984540054;

    /** An estimate without a standard error or an interval. */
    public static Interval undefined(double estimate) {
        return new Interval(estimate, Double.NaN, Double.NaN, Double.NaN);
    }

    /** {@code estimate +- Z95 * stderr}, clipped to {@code [min, max]} (the range the quantity can take). */
    public static Interval normal(double estimate, double stderr, double min, double max) {
        if (!Double.isFinite(estimate) || !Double.isFinite(stderr)) {
            return undefined(estimate);
        }
        return new Interval(estimate, stderr, Math.max(min, estimate - Z95 * stderr),
                Math.min(max, estimate + Z95 * stderr));
    }

    /** Whether the standard error and the interval are known. */
    public boolean isDefined() {
        return Double.isFinite(stderr) && Double.isFinite(low) && Double.isFinite(high);
    }
}
