package rlif.evaluator.metrics;

/**
 * Running mean and standard deviation (Welford), skipping NaN; the deviation is the sample one (n - 1).
 */
public final class Stats {
    private long n;
    private double mean;
    private double m2;

    public void add(double x) {
        if (Double.isNaN(x)) {
            return;
        }
        n++;
        double d = x - mean;
        mean += d / n;
        m2 += d * (x - mean);
    }

    public long count() {
        return n;
    }

    /** NaN when empty. */
    public double mean() {
        return n == 0 ? Double.NaN : mean;
    }

    /** NaN with fewer than two values. */
    public double std() {
        return n < 2 ? Double.NaN : Math.sqrt(m2 / (n - 1));
    }
}
