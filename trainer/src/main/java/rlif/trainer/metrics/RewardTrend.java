package rlif.trainer.metrics;

/**
 * The sanity gate of a GRPO run: did the reward it optimised rise? The ordinary least-squares slope of the
 * per-step training reward against the step, with a heteroskedasticity- and autocorrelation-consistent standard
 * error (Newey and West, 1987: Bartlett weights {@code 1 - l / (L + 1)} up to lag
 * {@code L = floor(4 (n / 100)^(2/9))}), since one step's reward is not independent of the next's (the policy
 * drifts slowly and a trend that is not a straight line leaves correlated residuals). A run passes when the
 * slope's 95% interval lies above zero ({@code t = slope / stderr > 1.96}); anything else is reported as
 * "did not optimise its reward" and its curves are no evidence about that reward. In runs of 100 steps
 * Newey-West's error is a little small, so a reward with no trend passes about 4% of the time with independent
 * step-to-step noise and about 7% with strongly autocorrelated noise, rather than 2.5% (RewardTrendTest).
 *
 * @param slope reward change per step
 * @param stderr its standard error (NaN with fewer than three steps)
 * @param steps how many steps entered the fit
 * @param first the fitted reward at the first step
 * @param last the fitted reward at the last step
 */
public record RewardTrend(double slope, double stderr, int steps, double first, double last) {
    /** The two-sided 95% normal quantile: the slope must be this many standard errors above zero. */
    public static final double Z95 = 1.959963984540054;

    /** {@code slope / stderr}; NaN when the standard error is unknown, infinite for an exact sloped line. */
    public double t() {
        if (stderr == 0) {
            return slope > 0 ? Double.POSITIVE_INFINITY : slope < 0 ? Double.NEGATIVE_INFINITY : 0;
        }
        return slope / stderr;
    }

    /** Whether the reward rose significantly: the slope's 95% interval lies above zero. */
    public boolean optimised() {
        double t = t();
        return !Double.isNaN(t) && t > Z95;
    }

    /** The Newey-West lag for {@code n} observations. */
    static int lag(int n) {
        return (int) Math.floor(4 * Math.pow(n / 100.0, 2.0 / 9.0));
    }

    /** Fits {@code rewards[i]} against {@code steps[i]}; NaN rewards (skipped steps) are left out. */
    public static RewardTrend of(long[] steps, double[] rewards) {
        if (steps.length != rewards.length) {
            throw new IllegalArgumentException("one reward per step");
        }
        int n = 0;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < steps.length; i++) {
            if (!Double.isNaN(rewards[i])) {
                n++;
                mx += steps[i];
                my += rewards[i];
            }
        }
        if (n < 2) {
            return new RewardTrend(Double.NaN, Double.NaN, n, Double.NaN, Double.NaN);
        }
        mx /= n;
        my /= n;
        double[] x = new double[n];
        double[] y = new double[n];
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        int k = 0;
        for (int i = 0; i < steps.length; i++) {
            if (!Double.isNaN(rewards[i])) {
                x[k] = steps[i] - mx;
                y[k++] = rewards[i];
                lo = Math.min(lo, steps[i]);
                hi = Math.max(hi, steps[i]);
            }
        }
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            sxx += x[i] * x[i];
            sxy += x[i] * (y[i] - my);
        }
        if (sxx == 0) {
            return new RewardTrend(Double.NaN, Double.NaN, n, my, my);
        }
        double slope = sxy / sxx;
        double first = my + slope * (lo - mx);
        double last = my + slope * (hi - mx);
        if (n < 3) {
            return new RewardTrend(slope, Double.NaN, n, first, last);
        }
        // score contributions u_i = x_i e_i; var(slope) = S / sxx^2 with S the long-run variance of sum u_i
        double[] u = new double[n];
        for (int i = 0; i < n; i++) {
            u[i] = x[i] * (y[i] - my - slope * x[i]);
        }
        int lags = Math.min(lag(n), n - 1);
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += u[i] * u[i];
        }
        for (int l = 1; l <= lags; l++) {
            double w = 1 - l / (lags + 1.0);
            double c = 0;
            for (int i = l; i < n; i++) {
                c += u[i] * u[i - l];
            }
            s += 2 * w * c;
        }
        // small-sample factor n / (n - 2): the residuals used up two parameters
        double var = Math.max(0, s) * n / (n - 2.0) / (sxx * sxx);
        return new RewardTrend(slope, Math.sqrt(var), n, first, last);
    }

    /**
     * The gate of a run's {@code metrics.jsonl} rows: the {@code reward} of every training row (held-out
     * evaluation rows, marked {@code "eval": true}, and summary rows are left out).
     */
    public static RewardTrend ofRows(java.util.List<java.util.Map<String, Object>> rows) {
        java.util.List<long[]> steps = new java.util.ArrayList<>();
        java.util.List<Double> rewards = new java.util.ArrayList<>();
        for (java.util.Map<String, Object> r : rows) {
            if (!MetricsLog.isTrainingStep(r) || !(r.get("reward") instanceof Number reward)) {
                continue;
            }
            steps.add(new long[] {((Number) r.get("step")).longValue()});
            rewards.add(reward.doubleValue());
        }
        long[] s = new long[steps.size()];
        double[] y = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = steps.get(i)[0];
            y[i] = rewards.get(i);
        }
        return of(s, y);
    }

    /**
     * The gate as the last row of a GRPO run's {@code metrics.jsonl}: {@code "gate": true}, the slope per step with
     * its standard error and t, the fitted reward at the first and last step, how many steps were fitted, whether
     * the run optimised its reward and the verdict in words. Numbers that are not defined are left out.
     */
    public java.util.Map<String, Object> toRow(long step) {
        java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("step", step);
        row.put("gate", true);
        putFinite(row, "reward_slope", slope);
        putFinite(row, "reward_slope_stderr", stderr);
        putFinite(row, "reward_slope_t", t());
        putFinite(row, "reward_fit_first", first);
        putFinite(row, "reward_fit_last", last);
        row.put("steps_fitted", steps);
        row.put("optimised", optimised());
        row.put("verdict", verdict());
        return row;
    }

    private static void putFinite(java.util.Map<String, Object> row, String key, double v) {
        if (Double.isFinite(v)) {
            row.put(key, v);
        }
    }

    /** The gate in one line, e.g. {@code optimised its reward: slope 0.0021 per step +- 0.0004 (t 5.3)}. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%s: slope %.4g per step +- %.2g (t %.1f) over %d steps", verdict(),
                slope, stderr, t(), steps);
    }

    /** The verdict in words, for tables and reports. */
    public String verdict() {
        if (Double.isNaN(t())) {
            return "too few steps to tell";
        }
        return optimised() ? "optimised its reward" : "did not optimise its reward";
    }
}
