package rlif.evaluator.metrics;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Area under the ROC curve of a score for a binary label: the probability that a random positive scores
 * higher than a random negative, ties counting one half (the Mann-Whitney U statistic over n+ n-).
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
}
