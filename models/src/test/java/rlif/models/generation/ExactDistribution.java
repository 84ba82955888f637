package rlif.models.generation;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Test helper: the exact distribution a sampler must draw from, in double: {@code softmax(z / T)}, then top-k, then
 * the top-p nucleus (the smallest best-first prefix whose renormalised mass reaches p), ranking by logit then lower
 * id; {@code topK <= 0} keeps every token, {@code topP >= 1} skips the nucleus.
 */
public final class ExactDistribution {
    private ExactDistribution() {}

    public static double[] of(double[] z, double t, int topK, double topP) {
        Integer[] order = IntStream.range(0, z.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> z[a] != z[b] ? Double.compare(z[b], z[a]) : Integer.compare(a, b));
        int keep = topK > 0 ? Math.min(topK, z.length) : z.length;
        double[] w = new double[keep];
        double total = 0;
        for (int i = 0; i < keep; i++) {
            w[i] = Math.exp((z[order[i]] - z[order[0]]) / t);
            total += w[i];
        }
        if (topP < 1) {
            double before = 0;
            int nucleus = keep;
            for (int i = 0; i < keep; i++) {
                if (before >= topP * total) {
                    nucleus = i;
                    break;
                }
                before += w[i];
            }
            keep = nucleus;
            total = 0;
            for (int i = 0; i < keep; i++) {
                total += w[i];
            }
        }
        double[] q = new double[z.length];
        for (int i = 0; i < keep; i++) {
            q[order[i]] = w[i] / total;
        }
        return q;
    }

    /** Whether {@code count} of {@code n} draws is within 5 standard deviations of probability {@code p}. */
    public static boolean withinFiveSigma(int count, int n, double p) {
        double sigma = Math.sqrt(Math.max(p * (1 - p), 1e-12) / n);
        double f = (double) count / n;
        return f >= p - 5 * sigma - 1e-9 && f <= p + 5 * sigma + 1e-9;
    }
}
