package rlif.evaluator.metrics;

import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An estimate over problems together with each problem's influence on it: the first-order share of the
 * estimate's error that problem carries (the estimate's linearisation, summed over the problem's rollouts).
 * Rollouts of one problem are correlated (an easy problem is easy for every sample), so the problems, not the
 * rollouts, are the independent units: the standard error is {@code sqrt(I/(I-1) * sum_p influence_p^2)} over
 * the {@code I} problems that carry the estimate, the sandwich (cluster-robust) variance.
 *
 * <p>Because every model of a comparison is scored on the same problems with the same seeds, the difference
 * of two models' estimates is paired: its influence is the problem-by-problem difference of theirs
 * ({@link #minus}), so problem difficulty, shared by both, cancels out of its standard error.
 *
 * <p>The 95% interval is the normal one, {@code value +- 1.96 se}; with few problems it is an approximation
 * (docs/scale.md says how it was checked).
 */
public record ClusteredEstimate(double value, SortedMap<Integer, Double> influence) {
    /** The two-sided 95% quantile of the standard normal distribution. */
    public static final double Z95 = 1.959963984540054;

    public ClusteredEstimate {
        influence = Collections.unmodifiableSortedMap(new TreeMap<>(influence));
    }

    /** An undefined estimate (no problem carries it). */
    public static ClusteredEstimate undefined() {
        return new ClusteredEstimate(Double.NaN, new TreeMap<>());
    }

    /** The mean over problems of one value per problem (pass@k, maj@k): influence {@code (x_p - mean) / I}. */
    public static ClusteredEstimate meanOverProblems(Map<Integer, Double> perProblem) {
        if (perProblem.isEmpty()) {
            return undefined();
        }
        // Stats' running mean, so the value is the very double summary.json reports for pass@k and maj@k
        Stats stats = new Stats();
        perProblem.values().forEach(stats::add);
        double mean = stats.mean();
        SortedMap<Integer, Double> inf = new TreeMap<>();
        for (var e : perProblem.entrySet()) {
            inf.put(e.getKey(), (e.getValue() - mean) / perProblem.size());
        }
        return new ClusteredEstimate(mean, inf);
    }

    /**
     * The pooled mean over rollouts, {@code sum_p sum_p' / sum_p count_p} (accuracy over graded rollouts, a
     * signal's mean over rollouts), from each problem's {@code {sum, count}}: a ratio estimator, influence
     * {@code (sum_p - mean count_p) / sum count}.
     */
    public static ClusteredEstimate pooledMean(Map<Integer, double[]> sumAndCountByProblem) {
        double sum = 0;
        double count = 0;
        for (double[] sc : sumAndCountByProblem.values()) {
            sum += sc[0];
            count += sc[1];
        }
        if (count == 0) {
            return undefined();
        }
        double mean = sum / count;
        SortedMap<Integer, Double> inf = new TreeMap<>();
        for (var e : sumAndCountByProblem.entrySet()) {
            if (e.getValue()[1] > 0) {
                inf.put(e.getKey(), (e.getValue()[0] - mean * e.getValue()[1]) / count);
            }
        }
        return new ClusteredEstimate(mean, inf);
    }

    /**
     * AUROC of {@code scores} for {@code positive} ({@link Auroc#of}: ties count one half, NaN scores left
     * out), with the clustered DeLong influence of Obuchowski (1997): each rollout's placement value (the share
     * of the other class it beats) minus the AUROC, summed over its problem and divided by its class size.
     */
    public static ClusteredEstimate auroc(double[] scores, boolean[] positive, int[] problem) {
        if (scores.length != positive.length || scores.length != problem.length) {
            throw new IllegalArgumentException("one label and one problem per score");
        }
        Integer[] order = java.util.stream.IntStream.range(0, scores.length).filter(i -> !Double.isNaN(scores[i]))
                .boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
        int m = order.length;
        long pos = 0;
        for (int i : order) {
            pos += positive[i] ? 1 : 0;
        }
        long neg = m - pos;
        if (pos == 0 || neg == 0) {
            return undefined();
        }
        // placement[i]: for a positive, the negatives it beats (ties one half) over all negatives; for a
        // negative, the positives that beat it over all positives.
        double[] placement = new double[scores.length];
        long negBelow = 0;
        long posBelow = 0;
        for (int start = 0; start < m; ) {
            int end = start;
            while (end + 1 < m && scores[order[end + 1]] == scores[order[start]]) {
                end++;
            }
            long tiedPos = 0;
            long tiedNeg = 0;
            for (int j = start; j <= end; j++) {
                if (positive[order[j]]) {
                    tiedPos++;
                } else {
                    tiedNeg++;
                }
            }
            for (int j = start; j <= end; j++) {
                int i = order[j];
                if (positive[i]) {
                    placement[i] = (negBelow + 0.5 * tiedNeg) / neg;
                } else {
                    placement[i] = (pos - posBelow - tiedPos + 0.5 * tiedPos) / (double) pos;
                }
            }
            negBelow += tiedNeg;
            posBelow += tiedPos;
            start = end + 1;
        }
        // The mean placement of the positives is the AUROC; Auroc.of's rank sum gives the very double summary.json has.
        double auc = Auroc.of(scores, positive);
        SortedMap<Integer, Double> inf = new TreeMap<>();
        for (int i : order) {
            double share = positive[i] ? (placement[i] - auc) / pos : (placement[i] - auc) / neg;
            inf.merge(problem[i], share, Double::sum);
        }
        return new ClusteredEstimate(auc, inf);
    }

    /** The number of problems that carry the estimate. */
    public int problems() {
        return influence.size();
    }

    /** Standard error clustered by problem; NaN with fewer than two problems or an undefined value. */
    public double standardError() {
        int n = influence.size();
        if (n < 2 || Double.isNaN(value)) {
            return Double.NaN;
        }
        double ss = 0;
        for (double x : influence.values()) {
            ss += x * x;
        }
        return Math.sqrt(ss * n / (n - 1));
    }

    /** The normal 95% interval, clipped to {@code [min, max]} (the range the quantity can take). */
    public double[] interval95(double min, double max) {
        double se = standardError();
        if (Double.isNaN(se)) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {Math.max(min, value - Z95 * se), Math.min(max, value + Z95 * se)};
    }

    /**
     * The 95% interval of a share (accuracy, pass@k, maj@k, AUROC) in [0, 1]: the normal one, except where
     * every problem sits at 0 or at 1 and the standard error is zero, where it would collapse to a point; there
     * the rule of three over the problems bounds the share instead ({@code [1 - 3/I, 1]} or {@code [0, 3/I]}).
     */
    public double[] shareInterval95() {
        if (standardError() == 0 && (value == 0 || value == 1)) {
            double bound = Math.min(1, 3.0 / problems());
            return value == 1 ? new double[] {1 - bound, 1} : new double[] {0, bound};
        }
        return interval95(0, 1);
    }

    /**
     * The paired difference {@code this - baseline}: influences subtracted problem by problem (a problem only
     * one side has counts with the other's influence zero).
     */
    public ClusteredEstimate minus(ClusteredEstimate baseline) {
        if (Double.isNaN(value) || Double.isNaN(baseline.value)) {
            return undefined();
        }
        SortedMap<Integer, Double> inf = new TreeMap<>(influence);
        baseline.influence.forEach((p, x) -> inf.merge(p, -x, Double::sum));
        return new ClusteredEstimate(value - baseline.value, inf);
    }
}
