package rlif.evaluator.metrics;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * Area under the ROC curve of a score for a binary label: the probability that a random positive scores
 * higher than a random negative, ties counting one half (the Mann-Whitney U statistic over n+ n-), and its
 * standard error when the observations come in clusters (several rollouts of one problem).
 */
public final class Auroc {
    private Auroc() {}

    /** NaN when either class is empty or no score is finite. NaN scores are left out. */
    public static double of(double[] scores, boolean[] positive) {
        if (scores.length != positive.length) {
            throw new IllegalArgumentException("one label per score");
        }
        Integer[] order = new Integer[scores.length];
        int m = 0;
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isNaN(scores[i])) {
                order[m++] = i;
            }
        }
        order = Arrays.copyOf(order, m);
        Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
        // Sum of positive ranks, with tied scores sharing their average rank.
        double rankSum = 0;
        long pos = 0;
        for (int start = 0; start < m; ) {
            int end = start;
            while (end + 1 < m && scores[order[end + 1]] == scores[order[start]]) {
                end++;
            }
            double avgRank = (start + end) / 2.0 + 1;
            for (int j = start; j <= end; j++) {
                if (positive[order[j]]) {
                    rankSum += avgRank;
                    pos++;
                }
            }
            start = end + 1;
        }
        long neg = m - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /**
     * The AUROC with its standard error and 95% interval, rollouts clustered by {@code cluster[i]} (the problem):
     * DeLong's nonparametric variance in Obuchowski's form for clustered data ("Nonparametric analysis of
     * clustered ROC curve data", Biometrics 53, 1997). With one observation per cluster it is DeLong's
     * variance exactly. Each positive {@code x} gets {@code V10(x)}, the share of negatives it outscores (ties
     * one half), each negative {@code y} gets {@code V01(y)}, the share of positives that outscore it; their
     * sums per cluster vary around {@code m_i A} and {@code n_i A}, and
     * {@code var = S10 / M + S01 / N + 2 S11 / (M N)} with
     * <ul>
     *   <li>{@code S10 = I10 / ((I10 - 1) M) sum_i (V10_i - m_i A)^2} over clusters,</li>
     *   <li>{@code S01 = I01 / ((I01 - 1) N) sum_i (V01_i - n_i A)^2},</li>
     *   <li>{@code S11 = I / (I - 1) sum_i (V10_i - m_i A) (V01_i - n_i A)},</li>
     * </ul>
     * where {@code M}, {@code N} count positives and negatives, {@code m_i}, {@code n_i} those of cluster
     * {@code i}, and {@code I10}, {@code I01}, {@code I} the clusters holding a positive, a negative, anything.
     * The interval is {@code A +- Z95 se} clipped to [0, 1]. NaN scores are left out; the standard error is
     * undefined unless at least two clusters hold a positive and two a negative.
     */
    public static Interval withInterval(double[] scores, boolean[] positive, int[] cluster) {
        Placements c = Placements.of(scores, positive, cluster);
        if (c == null) {
            return Interval.undefined(Double.NaN);
        }
        int withPositive = 0;
        int withNegative = 0;
        double ss10 = 0;
        double ss01 = 0;
        double ss11 = 0;
        for (int i = 0; i < c.clusters(); i++) {
            withPositive += c.m[i] > 0 ? 1 : 0;
            withNegative += c.n[i] > 0 ? 1 : 0;
            double dx = c.v10[i] - c.m[i] * c.auc;
            double dy = c.v01[i] - c.n[i] * c.auc;
            ss10 += dx * dx;
            ss01 += dy * dy;
            ss11 += dx * dy;
        }
        if (withPositive < 2 || withNegative < 2) {
            return Interval.undefined(c.auc);
        }
        int positives = c.positives;
        int negatives = c.negatives;
        double s10 = withPositive / ((withPositive - 1.0) * positives) * ss10;
        double s01 = withNegative / ((withNegative - 1.0) * negatives) * ss01;
        double s11 = c.clusters() / (c.clusters() - 1.0) * ss11;
        double variance = s10 / positives + s01 / negatives + 2 * s11 / ((double) positives * negatives);
        // The cross term can push a tiny variance just below zero in floating point.
        return Interval.normal(c.auc, Math.sqrt(Math.max(0, variance)), 0, 1);
    }

    /**
     * The paired difference {@code AUROC(b) - AUROC(a)} of two runs scored on the same problems (clusters),
     * with its standard error and 95% interval. Each AUROC moves, to first order, by the sum over clusters of
     * {@code (V10_i - m_i A) / M + (V01_i - n_i A) / N} (the terms of {@link #withInterval}'s variance); the
     * difference's variance is {@code I / (I - 1) sum_i (d_i(b) - d_i(a))^2} over the {@code I} clusters of
     * either run, so what a problem does to both AUROCs alike (its difficulty) cancels. The labels may differ
     * between the runs (each model's own correctness). The interval is clipped to [-1, 1]; undefined when
     * either AUROC is, or with fewer than two clusters.
     */
    public static Interval pairedDifference(double[] scoresA, boolean[] positiveA, int[] clusterA, double[] scoresB,
            boolean[] positiveB, int[] clusterB) {
        Placements a = Placements.of(scoresA, positiveA, clusterA);
        Placements b = Placements.of(scoresB, positiveB, clusterB);
        if (a == null || b == null) {
            return Interval.undefined(Double.NaN);
        }
        Map<Integer, Double> d = b.influence();
        a.influence().forEach((cluster, x) -> d.merge(cluster, -x, Double::sum));
        double difference = b.auc - a.auc;
        if (d.size() < 2) {
            return Interval.undefined(difference);
        }
        double ss = 0;
        for (double x : d.values()) {
            ss += x * x;
        }
        return Interval.normal(difference, Math.sqrt(d.size() / (d.size() - 1.0) * ss), -1, 1);
    }

    /**
     * The placement values of a run summed per cluster: {@code v10[i]} over cluster i's positives of the share
     * of negatives each outscores, {@code v01[i]} over its negatives of the share of positives that outscore
     * each, {@code m[i]} and {@code n[i]} its positives and negatives, {@code ids[i]} its cluster label.
     */
    private record Placements(double auc, int positives, int negatives, int[] ids, double[] v10, double[] v01,
            int[] m, int[] n) {
        int clusters() {
            return ids.length;
        }

        /** Each cluster's first-order share of {@code auc - A}: {@code (v10 - m auc) / M + (v01 - n auc) / N}. */
        Map<Integer, Double> influence() {
            Map<Integer, Double> d = new HashMap<>();
            for (int i = 0; i < ids.length; i++) {
                d.put(ids[i], (v10[i] - m[i] * auc) / positives + (v01[i] - n[i] * auc) / negatives);
            }
            return d;
        }

        /** Null when a class is empty once NaN scores are left out. */
        static Placements of(double[] scores, boolean[] positive, int[] cluster) {
            if (scores.length != positive.length || scores.length != cluster.length) {
                throw new IllegalArgumentException("one label and one cluster per score");
            }
            int kept = 0;
            for (double s : scores) {
                kept += Double.isNaN(s) ? 0 : 1;
            }
            int[] clusterOf = new int[kept];
            double[] value = new double[kept];
            boolean[] label = new boolean[kept];
            Map<Integer, Integer> clusterIndex = new HashMap<>();
            int positives = 0;
            for (int i = 0, k = 0; i < scores.length; i++) {
                if (!Double.isNaN(scores[i])) {
                    clusterOf[k] = clusterIndex.computeIfAbsent(cluster[i], c -> clusterIndex.size());
                    value[k] = scores[i];
                    label[k] = positive[i];
                    positives += positive[i] ? 1 : 0;
                    k++;
                }
            }
            int negatives = kept - positives;
            if (positives == 0 || negatives == 0) {
                return null;
            }
            double[] pos = new double[positives];
            double[] neg = new double[negatives];
            for (int k = 0, p = 0, n = 0; k < kept; k++) {
                if (label[k]) {
                    pos[p++] = value[k];
                } else {
                    neg[n++] = value[k];
                }
            }
            Arrays.sort(pos);
            Arrays.sort(neg);
            int clusters = clusterIndex.size();
            int[] ids = new int[clusters];
            clusterIndex.forEach((id, index) -> ids[index] = id);
            double[] v10 = new double[clusters];
            double[] v01 = new double[clusters];
            int[] m = new int[clusters];
            int[] n = new int[clusters];
            double sumV10 = 0;
            for (int k = 0; k < kept; k++) {
                int c = clusterOf[k];
                if (label[k]) {
                    // negatives strictly below, plus half of those tied
                    double v = (below(neg, value[k]) + 0.5 * tied(neg, value[k])) / negatives;
                    v10[c] += v;
                    m[c]++;
                    sumV10 += v;
                } else {
                    // positives strictly above, plus half of those tied
                    v01[c] += (positives - below(pos, value[k]) - 0.5 * tied(pos, value[k])) / positives;
                    n[c]++;
                }
            }
            return new Placements(sumV10 / positives, positives, negatives, ids, v10, v01, m, n);
        }
    }

    /** How many of the sorted {@code xs} are strictly below {@code v}. */
    private static int below(double[] xs, double v) {
        return countBelow(xs, v, false);
    }

    /** How many of the sorted {@code xs} equal {@code v}. */
    private static int tied(double[] xs, double v) {
        return countBelow(xs, v, true) - countBelow(xs, v, false);
    }

    /** Binary search: the number of sorted {@code xs} below {@code v} (or at most {@code v} when inclusive). */
    private static int countBelow(double[] xs, double v, boolean inclusive) {
        int lo = 0;
        int hi = xs.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (xs[mid] < v || (inclusive && xs[mid] == v)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
