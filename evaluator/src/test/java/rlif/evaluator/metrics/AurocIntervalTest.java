package rlif.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AurocIntervalTest {
    /** The brute-force references sum the same pairs in another order: agreement to rounding. */
    private static final double EXACT = 1e-12;

    private static double psi(double x, double y) {
        return x > y ? 1 : x == y ? 0.5 : 0;
    }

    /** Obuchowski's variance spelled out over every positive-negative pair, in O(n^2). */
    private static double bruteForceVariance(double[] s, boolean[] y, int[] c, int clusters) {
        int m = 0;
        int n = 0;
        for (boolean b : y) {
            m += b ? 1 : 0;
            n += b ? 0 : 1;
        }
        double auc = 0;
        for (int i = 0; i < s.length; i++) {
            for (int j = 0; j < s.length; j++) {
                if (y[i] && !y[j]) {
                    auc += psi(s[i], s[j]);
                }
            }
        }
        auc /= (double) m * n;
        double[] x10 = new double[clusters];
        double[] x01 = new double[clusters];
        int[] mi = new int[clusters];
        int[] ni = new int[clusters];
        for (int i = 0; i < s.length; i++) {
            double v = 0;
            for (int j = 0; j < s.length; j++) {
                if (y[i] != y[j]) {
                    v += y[i] ? psi(s[i], s[j]) : psi(s[j], s[i]);
                }
            }
            if (y[i]) {
                x10[c[i]] += v / n;
                mi[c[i]]++;
            } else {
                x01[c[i]] += v / m;
                ni[c[i]]++;
            }
        }
        int i10 = 0;
        int i01 = 0;
        int all = 0;
        double s10 = 0;
        double s01 = 0;
        double s11 = 0;
        for (int k = 0; k < clusters; k++) {
            i10 += mi[k] > 0 ? 1 : 0;
            i01 += ni[k] > 0 ? 1 : 0;
            all += mi[k] + ni[k] > 0 ? 1 : 0;
            s10 += Math.pow(x10[k] - mi[k] * auc, 2);
            s01 += Math.pow(x01[k] - ni[k] * auc, 2);
            s11 += (x10[k] - mi[k] * auc) * (x01[k] - ni[k] * auc);
        }
        s10 *= i10 / ((i10 - 1.0) * m);
        s01 *= i01 / ((i01 - 1.0) * n);
        s11 *= all / (all - 1.0);
        return s10 / m + s01 / n + 2 * s11 / ((double) m * n);
    }

    @Test
    void clusteredVarianceMatchesObuchowskisFormulaOverEveryPair() {
        Random r = new Random(5);
        for (int trial = 0; trial < 40; trial++) {
            int clusters = 3 + r.nextInt(12);
            int n = clusters + r.nextInt(40);
            double[] s = new double[n];
            boolean[] y = new boolean[n];
            int[] c = new int[n];
            for (int i = 0; i < n; i++) {
                c[i] = i < clusters ? i : r.nextInt(clusters);
                s[i] = r.nextInt(5); // few distinct values, so ties are common
                y[i] = i < 2 || (i >= 4 && r.nextBoolean()); // clusters 0 and 1 hold positives, 2 and 3 negatives
            }
            Interval a = Auroc.withInterval(s, y, c);
            assertThat(a.estimate()).isCloseTo(Auroc.of(s, y), within(EXACT));
            assertThat(a.stderr() * a.stderr()).as("trial %d", trial)
                    .isCloseTo(bruteForceVariance(s, y, c, clusters), within(EXACT));
            assertThat(a.low()).isCloseTo(Math.max(0, a.estimate() - Interval.Z95 * a.stderr()), within(EXACT));
            assertThat(a.high()).isCloseTo(Math.min(1, a.estimate() + Interval.Z95 * a.stderr()), within(EXACT));
        }
    }

    /** One observation per cluster: DeLong, DeLong and Clarke-Pearson (1988), in its textbook form. */
    @Test
    void oneRolloutPerProblemIsDeLongsVariance() {
        Random r = new Random(9);
        int n = 60;
        double[] s = new double[n];
        boolean[] y = new boolean[n];
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3 != 0;
            s[i] = r.nextGaussian() + (y[i] ? 0.8 : 0);
            c[i] = 1000 - i; // any ids
        }
        int m = 40;
        int k = 20;
        double auc = Auroc.of(s, y);
        double s10 = 0;
        double s01 = 0;
        for (int i = 0; i < n; i++) {
            double v = 0;
            for (int j = 0; j < n; j++) {
                if (y[i] != y[j]) {
                    v += y[i] ? psi(s[i], s[j]) : psi(s[j], s[i]);
                }
            }
            if (y[i]) {
                s10 += Math.pow(v / k - auc, 2);
            } else {
                s01 += Math.pow(v / m - auc, 2);
            }
        }
        double delong = s10 / (m - 1) / m + s01 / (k - 1) / k;
        assertThat(Math.pow(Auroc.withInterval(s, y, c).stderr(), 2)).isCloseTo(delong, within(EXACT));
    }

    /**
     * Rollouts of one problem share its difficulty, which moves both the signal and the chance of being right.
     * Over 2000 simulated runs, the clustered standard error must match the actual spread of the AUROC, where
     * DeLong's (each rollout its own cluster) understates it.
     */
    @Test
    void clusteredStandardErrorMatchesTheSpreadOfSimulatedRuns() {
        Random r = new Random(13);
        int problems = 50;
        int k = 6;
        int runs = 2000;
        Stats aucs = new Stats();
        Stats clustered = new Stats();
        Stats independent = new Stats();
        double[] s = new double[problems * k];
        boolean[] y = new boolean[problems * k];
        int[] c = new int[problems * k];
        int[] own = new int[problems * k];
        for (int run = 0; run < runs; run++) {
            for (int p = 0; p < problems; p++) {
                double ease = r.nextGaussian() * 1.5;
                for (int j = 0; j < k; j++) {
                    int i = p * k + j;
                    double noise = r.nextGaussian();
                    s[i] = ease + noise;
                    y[i] = ease + 0.5 * noise + r.nextGaussian() > 0;
                    c[i] = p;
                    own[i] = i;
                }
            }
            Interval a = Auroc.withInterval(s, y, c);
            aucs.add(a.estimate());
            clustered.add(a.stderr());
            independent.add(Auroc.withInterval(s, y, own).stderr());
        }
        // 2000 runs pin the spread to about 1.6%; the variance estimator's own bias at 50 clusters is a few %
        assertThat(clustered.mean() / aucs.std()).isCloseTo(1.0, within(0.08));
        assertThat(independent.mean() / aucs.std()).isLessThan(0.8);
    }

    @Test
    void undefinedWithoutTwoClustersOnEachSide() {
        Interval a = Auroc.withInterval(new double[] {1, 2, -1, 0}, new boolean[] {true, true, false, false},
                new int[] {0, 0, 1, 2});
        assertThat(a.estimate()).isEqualTo(1.0);
        assertThat(a.isDefined()).isFalse();
        assertThat(Auroc.withInterval(new double[] {1, 2}, new boolean[] {true, true}, new int[] {0, 1}).estimate()).isNaN();
        Interval nan = Auroc.withInterval(new double[] {Double.NaN, 1, 2, 0, 3}, new boolean[] {false, true, true, false, false},
                new int[] {0, 1, 2, 3, 4});
        assertThat(nan.estimate()).isCloseTo(Auroc.of(new double[] {1, 2, 0, 3}, new boolean[] {true, true, false, false}), within(EXACT));
    }
}
