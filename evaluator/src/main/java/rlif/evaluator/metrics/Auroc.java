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
            return Interval.undefined(Double.NaN);
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
        double auc = sumV10 / positives;
        int withPositive = 0;
        int withNegative = 0;
        double ss10 = 0;
        double ss01 = 0;
        double ss11 = 0;
        for (int c = 0; c < clusters; c++) {
            withPositive += m[c] > 0 ? 1 : 0;
            withNegative += n[c] > 0 ? 1 : 0;
            double dx = v10[c] - m[c] * auc;
            double dy = v01[c] - n[c] * auc;
            ss10 += dx * dx;
            ss01 += dy * dy;
            ss11 += dx * dy;
        }
        if (withPositive < 2 || withNegative < 2) {
            return Interval.undefined(auc);
        }
        double s10 = withPositive / ((withPositive - 1.0) * positives) * ss10;
        double s01 = withNegative / ((withNegative - 1.0) * negatives) * ss01;
        double s11 = clusters / (clusters - 1.0) * ss11;
        double variance = s10 / positives + s01 / negatives + 2 * s11 / ((double) positives * negatives);
        // The cross term can push a tiny variance just below zero in floating point.
        return Interval.normal(auc, Math.sqrt(Math.max(0, variance)), 0, 1);
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
