package rlif.evaluator.metrics;

import java.util.Arrays;

/**
 * The empirical ROC curve of a score for a binary label: one point per distinct score, from the highest
 * threshold down, starting at (0, 0) and ending at (1, 1). Tied scores move both rates at once, so the
 * trapezoids under the curve add up to {@link Auroc#of} exactly.
 */
public record RocCurve(double[] falsePositiveRate, double[] truePositiveRate) {
    /** NaN scores are left out; an empty class gives the diagonal's two end points only. */
    public static RocCurve of(double[] scores, boolean[] positive) {
        if (scores.length != positive.length) {
            throw new IllegalArgumentException("one label per score");
        }
        int n = 0;
        long pos = 0;
        double[] s = new double[scores.length];
        boolean[] y = new boolean[scores.length];
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isNaN(scores[i])) {
                s[n] = scores[i];
                y[n] = positive[i];
                order[n] = n;
                pos += positive[i] ? 1 : 0;
                n++;
            }
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return new RocCurve(new double[] {0, 1}, new double[] {0, 1});
        }
        Integer[] sorted = Arrays.copyOf(order, n);
        Arrays.sort(sorted, (a, b) -> Double.compare(s[b], s[a]));
        double[] fpr = new double[n + 1];
        double[] tpr = new double[n + 1];
        int points = 1;
        long tp = 0;
        long fp = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && s[sorted[j]] == s[sorted[i]]) {
                if (y[sorted[j]]) {
                    tp++;
                } else {
                    fp++;
                }
                j++;
            }
            fpr[points] = (double) fp / neg;
            tpr[points] = (double) tp / pos;
            points++;
            i = j;
        }
        return new RocCurve(Arrays.copyOf(fpr, points), Arrays.copyOf(tpr, points));
    }

    /** The area under the points by the trapezoid rule. */
    public double area() {
        double a = 0;
        for (int i = 1; i < falsePositiveRate.length; i++) {
            a += (falsePositiveRate[i] - falsePositiveRate[i - 1]) * (truePositiveRate[i] + truePositiveRate[i - 1]) / 2;
        }
        return a;
    }
}
