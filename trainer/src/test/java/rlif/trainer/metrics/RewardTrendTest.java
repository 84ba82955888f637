package rlif.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RewardTrendTest {
    private static long[] steps(int n) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = i + 1;
        }
        return s;
    }

    @Test
    void anExactLineHasItsSlopeAndNoError() {
        long[] s = steps(50);
        double[] r = new double[50];
        for (int i = 0; i < 50; i++) {
            r[i] = 7.5 + 0.02 * s[i];
        }
        RewardTrend t = RewardTrend.of(s, r);
        assertThat(t.slope()).isCloseTo(0.02, within(1e-12));
        assertThat(t.stderr()).isCloseTo(0, within(1e-12));
        assertThat(t.first()).isCloseTo(7.52, within(1e-12));
        assertThat(t.last()).isCloseTo(8.5, within(1e-12));
        assertThat(t.optimised()).isTrue();
        // falling exactly: not optimised
        for (int i = 0; i < 50; i++) {
            r[i] = 7.5 - 0.02 * s[i];
        }
        assertThat(RewardTrend.of(s, r).optimised()).isFalse();
    }

    /**
     * The standard error against the textbook sandwich {@code (X'X)^-1 X' Omega X (X'X)^-1} with an intercept
     * column, {@code Omega_ij = w(|i - j|) e_i e_j} (Bartlett weights), computed in 2 x 2 matrices.
     */
    @Test
    void standardErrorIsTheNeweyWestSandwich() {
        Random rnd = new Random(3);
        int n = 100;
        long[] s = new long[n];
        double[] r = new double[n];
        double ar = 0;
        for (int i = 0; i < n; i++) {
            s[i] = 2L * i + 5; // every other step, offset: the fit must not assume steps 1..n
            ar = 0.6 * ar + rnd.nextGaussian();
            r[i] = 3 + 0.01 * s[i] + 0.1 * ar;
        }
        RewardTrend t = RewardTrend.of(s, r);
        double[][] xtx = new double[2][2];
        double[] xty = new double[2];
        for (int i = 0; i < n; i++) {
            double[] xi = {1, s[i]};
            for (int a = 0; a < 2; a++) {
                xty[a] += xi[a] * r[i];
                for (int b = 0; b < 2; b++) {
                    xtx[a][b] += xi[a] * xi[b];
                }
            }
        }
        double det = xtx[0][0] * xtx[1][1] - xtx[0][1] * xtx[1][0];
        double[][] inv = {{xtx[1][1] / det, -xtx[0][1] / det}, {-xtx[1][0] / det, xtx[0][0] / det}};
        double b0 = inv[0][0] * xty[0] + inv[0][1] * xty[1];
        double b1 = inv[1][0] * xty[0] + inv[1][1] * xty[1];
        int lags = RewardTrend.lag(n);
        assertThat(lags).isEqualTo(4);
        double[][] meat = new double[2][2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int d = Math.abs(i - j);
                if (d > lags) {
                    continue;
                }
                double w = 1 - d / (lags + 1.0);
                double ei = r[i] - b0 - b1 * s[i];
                double ej = r[j] - b0 - b1 * s[j];
                double[] xi = {1, s[i]};
                double[] xj = {1, s[j]};
                for (int a = 0; a < 2; a++) {
                    for (int b = 0; b < 2; b++) {
                        meat[a][b] += w * xi[a] * ei * ej * xj[b];
                    }
                }
            }
        }
        double v11 = 0;
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
                v11 += inv[1][a] * meat[a][b] * inv[b][1];
            }
        }
        v11 *= n / (n - 2.0);
        assertThat(t.slope()).isCloseTo(b1, within(1e-12));
        assertThat(t.stderr()).isCloseTo(Math.sqrt(v11), within(1e-9 * Math.sqrt(v11)));
    }

    /**
     * Calibration: 2000 simulated runs of 100 steps whose reward has no trend. A gate at 1.96 standard errors
     * would pass 2.5% of them (one-sided) if the error were exact; Newey-West's error is a little small in runs
     * this short, so it passes about 4% with independent noise and about 7% with strongly autocorrelated noise
     * (AR(1), coefficient 0.5), where the plain OLS error, which assumes independent steps, passes about 14%.
     */
    @Test
    void aRewardWithoutTrendRarelyPassesEvenWithAutocorrelatedNoise() {
        assertThat(falsePasses(0.0, false)).isBetween(0.02, 0.06);
        double autocorrelated = falsePasses(0.5, false);
        assertThat(autocorrelated).isBetween(0.04, 0.09);
        assertThat(falsePasses(0.5, true)).isGreaterThan(1.5 * autocorrelated);
    }

    private static double falsePasses(double phi, boolean naive) {
        Random rnd = new Random(11);
        long[] s = steps(100);
        int passed = 0;
        int runs = 2000;
        for (int run = 0; run < runs; run++) {
            double[] r = new double[100];
            double ar = 0;
            for (int i = 0; i < 100; i++) {
                ar = phi * ar + rnd.nextGaussian();
                r[i] = ar;
            }
            RewardTrend t = RewardTrend.of(s, r);
            double se = naive ? naiveStderr(s, r, t.slope()) : t.stderr();
            passed += t.slope() / se > RewardTrend.Z95 ? 1 : 0;
        }
        return (double) passed / runs;
    }

    private static double naiveStderr(long[] s, double[] r, double slope) {
        int n = s.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += s[i] / (double) n;
            my += r[i] / n;
        }
        double sxx = 0;
        double sse = 0;
        for (int i = 0; i < n; i++) {
            sxx += (s[i] - mx) * (s[i] - mx);
            double e = r[i] - my - slope * (s[i] - mx);
            sse += e * e;
        }
        return Math.sqrt(sse / (n - 2) / sxx);
    }

    @Test
    void aRealRiseOfAFewStandardDeviationsOverTheRunPasses() {
        Random rnd = new Random(12);
        long[] s = steps(100);
        int passed = 0;
        for (int run = 0; run < 200; run++) {
            double[] r = new double[100];
            double ar = 0;
            for (int i = 0; i < 100; i++) {
                ar = 0.5 * ar + rnd.nextGaussian();
                r[i] = 0.04 * i + ar; // a rise of 4 noise deviations over the run
            }
            passed += RewardTrend.of(s, r).optimised() ? 1 : 0;
        }
        assertThat(passed).isGreaterThan(190);
    }

    @Test
    void skippedStepsAreLeftOutAndTooFewStepsCannotTell() {
        RewardTrend t = RewardTrend.of(new long[] {1, 2, 3, 4}, new double[] {1, Double.NaN, 3, 4});
        assertThat(t.steps()).isEqualTo(3);
        assertThat(RewardTrend.of(new long[] {1, 2}, new double[] {1, 2}).verdict()).isEqualTo("too few steps to tell");
        assertThat(RewardTrend.of(new long[] {1, 2, 3, 4}, new double[] {1, 1.2, 0.9, 1}).verdict())
                .isEqualTo("did not optimise its reward");
        assertThat(RewardTrend.of(new long[] {1, 2, 3, 4}, new double[] {1, 1, 1, 1}).verdict())
                .isEqualTo("did not optimise its reward");
    }
}
