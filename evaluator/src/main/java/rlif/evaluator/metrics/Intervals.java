package rlif.evaluator.metrics;

/**
 * Standard errors and 95% intervals for the metrics of a scored run, with the problem as the unit of
 * sampling: several rollouts of one problem are correlated (an easy problem tends to be solved by all of
 * them), so treating them as independent would make intervals too narrow. This is the clustered standard
 * error of Miller, "Adding Error Bars to Evals" (2024), in the ratio-estimator form that also allows
 * problems with different numbers of graded rollouts, with the usual {@code P / (P - 1)} small-sample factor
 * (so one rollout per problem gives the familiar {@code sqrt(p (1 - p) / (P - 1))} of lm-evaluation-harness).
 */
public final class Intervals {
    private Intervals() {}

    /**
     * A share clustered by problem: problem {@code i} had {@code successes[i]} successes in {@code trials[i]}
     * trials (a trial may count a fraction, e.g. a per-problem pass@k with trial weight 1). The estimate is
     * {@code sum(successes) / sum(trials)}; its standard error is the cluster-robust one of that ratio:
     * {@code sqrt(P / (P - 1) * sum_i (s_i - p t_i)^2) / sum(t)} over the {@code P} problems with a trial.
     *
     * <p>The interval is Wilson's score interval at the effective sample size {@code p (1 - p) / stderr^2}
     * (capped at the number of trials): unlike {@code p +- 1.96 stderr} it stays inside [0, 1] and does not
     * collapse to a point when every rollout is right or every one is wrong. In that case the effective size
     * is the number of problems, since rollouts of one problem may agree for reasons of that problem alone.
     * Undefined (NaN) with fewer than two problems.
     */
    public static Interval proportion(double[] successes, double[] trials) {
        return proportion(successes, trials, Double.NaN);
    }

    /**
     * {@link #proportion(double[], double[])} with the effective sample size capped at {@code maxEffective}
     * instead of the number of trials: for a mean of per-problem values that each summarise several rollouts
     * (pass@k), the cap is the number of rollouts behind them, so pass@1 gets the interval of the accuracy it
     * equals.
     */
    public static Interval proportion(double[] successes, double[] trials, double maxEffective) {
        if (successes.length != trials.length) {
            throw new IllegalArgumentException("one trial count per success count");
        }
        double sumS = 0;
        double sumT = 0;
        int problems = 0;
        for (int i = 0; i < trials.length; i++) {
            if (trials[i] > 0) {
                sumS += successes[i];
                sumT += trials[i];
                problems++;
            }
        }
        if (problems == 0) {
            return Interval.undefined(Double.NaN);
        }
        double p = sumS / sumT;
        if (problems < 2) {
            return Interval.undefined(p);
        }
        double se = ratioStderr(successes, trials, p, problems, sumT);
        double variance = p * (1 - p);
        double cap = Double.isNaN(maxEffective) ? sumT : maxEffective;
        double effective = variance == 0 ? problems : se == 0 ? cap : Math.min(cap, variance / (se * se));
        double[] w = wilson(p, effective);
        return new Interval(p, se, w[0], w[1]);
    }

    /**
     * The mean over rollouts of a value whose rollouts come in problems ({@code sums[i]} over {@code counts[i]}
     * rollouts of problem {@code i}), such as a signal's mean: {@code sum(sums) / sum(counts)} with the same
     * clustered standard error as {@link #proportion} and the normal interval. Undefined with fewer than two
     * problems.
     */
    public static Interval clusteredMean(double[] sums, double[] counts) {
        if (sums.length != counts.length) {
            throw new IllegalArgumentException("one count per sum");
        }
        double sum = 0;
        double count = 0;
        int problems = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                sum += sums[i];
                count += counts[i];
                problems++;
            }
        }
        if (problems == 0) {
            return Interval.undefined(Double.NaN);
        }
        double mean = sum / count;
        if (problems < 2) {
            return Interval.undefined(mean);
        }
        return Interval.normal(mean, ratioStderr(sums, counts, mean, problems, count), Double.NEGATIVE_INFINITY,
                Double.POSITIVE_INFINITY);
    }

    /** The cluster-robust standard error of the ratio {@code r = sum(y) / sum(t)} over {@code problems} problems. */
    private static double ratioStderr(double[] y, double[] t, double r, int problems, double sumT) {
        double ss = 0;
        for (int i = 0; i < t.length; i++) {
            if (t[i] > 0) {
                double d = y[i] - r * t[i];
                ss += d * d;
            }
        }
        return Math.sqrt(problems / (problems - 1.0) * ss) / sumT;
    }

    /**
     * Wilson's score interval for a share {@code p} observed over {@code n} independent trials (n may be an
     * effective, non-integer size): the {@code p'} with {@code |p - p'| = Z95 sqrt(p' (1 - p') / n)}.
     * Returns {@code {low, high}}.
     */
    public static double[] wilson(double p, double n) {
        double z2 = Interval.Z95 * Interval.Z95;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denominator;
        double half = Interval.Z95 / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    /**
     * The mean of one value per problem (NaN values left out), with the standard error
     * {@code sd / sqrt(n)} (sample deviation) and the normal interval {@code mean +- Z95 stderr}. Undefined
     * with fewer than two values.
     */
    public static Interval mean(double[] values) {
        Stats s = new Stats();
        for (double v : values) {
            s.add(v);
        }
        if (s.count() < 2) {
            return Interval.undefined(s.mean());
        }
        return Interval.normal(s.mean(), s.std() / Math.sqrt(s.count()), Double.NEGATIVE_INFINITY,
                Double.POSITIVE_INFINITY);
    }

    /**
     * The mean of {@code a[i] - b[i]} over the problems both sides have (neither NaN), with its standard error
     * and normal interval: a paired comparison, which removes the problem-to-problem variation both sides
     * share (Miller 2024, section 4).
     */
    public static Interval pairedDifference(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired values need one b per a, got " + a.length + " and " + b.length);
        }
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return mean(d);
    }
}
