package rlif.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The paired AUROC difference of two runs on the same problems, and the clustered mean of a signal, checked
 * against independent references: the leave-one-problem-out jackknife computed by brute force with
 * {@link Auroc#of}, and the coverage of the 95% intervals over simulated run pairs whose true difference is known.
 */
class AurocPairedDifferenceTest {
    /** Rollouts of one simulated run: score, label and problem of each. */
    record Rows(double[] score, boolean[] correct, int[] problem) {
        Rows without(int p) {
            List<Integer> keep = new ArrayList<>();
            for (int i = 0; i < score.length; i++) {
                if (problem[i] != p) {
                    keep.add(i);
                }
            }
            double[] s = new double[keep.size()];
            boolean[] c = new boolean[keep.size()];
            int[] q = new int[keep.size()];
            for (int j = 0; j < s.length; j++) {
                s[j] = score[keep.get(j)];
                c[j] = correct[keep.get(j)];
                q[j] = problem[keep.get(j)];
            }
            return new Rows(s, c, q);
        }

        double auroc() {
            return Auroc.of(score, correct);
        }
    }

    /**
     * {@code samples} rollouts for each problem of {@code difficulty} (its chance of a correct rollout, raised by
     * {@code boost}); a problem's rollouts share a score shift, so they are correlated as real ones are, and
     * correct rollouts score {@code separation} higher.
     */
    static Rows simulate(Random rnd, double[] shift, double[] difficulty, int samples, double separation, double boost) {
        int n = difficulty.length * samples;
        double[] s = new double[n];
        boolean[] c = new boolean[n];
        int[] q = new int[n];
        for (int p = 0; p < difficulty.length; p++) {
            for (int k = 0; k < samples; k++) {
                int i = p * samples + k;
                q[i] = p;
                c[i] = rnd.nextDouble() < Math.min(1, difficulty[p] + boost);
                s[i] = shift[p] + rnd.nextGaussian() + (c[i] ? separation : 0);
            }
        }
        return new Rows(s, c, q);
    }

    static double[] uniform(Random rnd, int n, double lo, double hi) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = lo + (hi - lo) * rnd.nextDouble();
        }
        return d;
    }

    static double[] gaussian(Random rnd, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = rnd.nextGaussian();
        }
        return d;
    }

    static Interval paired(Rows a, Rows b) {
        return Auroc.pairedDifference(a.score, a.correct, a.problem, b.score, b.correct, b.problem);
    }

    /** The leave-one-problem-out jackknife standard error of {@code statistic} over problems 0..problems-1. */
    static double jackknife(int problems, java.util.function.IntToDoubleFunction leaveOut) {
        double[] loo = new double[problems];
        double mean = 0;
        for (int p = 0; p < problems; p++) {
            loo[p] = leaveOut.applyAsDouble(p);
            mean += loo[p] / problems;
        }
        double ss = 0;
        for (double x : loo) {
            ss += (x - mean) * (x - mean);
        }
        return Math.sqrt(ss * (problems - 1) / problems);
    }

    @Test
    void thePairedErrorMatchesThePairedJackknifeOverProblems() {
        Random rnd = new Random(4);
        int problems = 60;
        double[] difficulty = uniform(rnd, problems, 0.1, 0.9);
        double[] shift = gaussian(rnd, problems);
        Rows a = simulate(rnd, shift, difficulty, 4, 1.0, 0);
        Rows b = simulate(rnd, shift, difficulty, 4, 0.5, 0.05);
        Interval d = paired(a, b);
        assertThat(d.estimate()).isCloseTo(b.auroc() - a.auroc(), within(1e-12));
        double jack = jackknife(problems, p -> b.without(p).auroc() - a.without(p).auroc());
        // The influences are the jackknife's first-order terms; the two differ by O(1/problems): a few percent.
        assertThat(d.stderr()).isCloseTo(jack, within(0.05 * jack));
    }

    @Test
    void aRunComparedWithItselfDiffersByExactlyZero() {
        Random rnd = new Random(7);
        Rows a = simulate(rnd, gaussian(rnd, 20), uniform(rnd, 20, 0.2, 0.8), 4, 1.0, 0);
        Interval d = paired(a, a);
        assertThat(d.estimate()).isZero();
        assertThat(d.stderr()).isZero();
    }

    /**
     * 400 simulated pairs of runs on shared problems: model A separates correct from incorrect rollouts by 1,
     * model B by 0.5, each score with a unit problem shift and unit noise. Across problems the AUROC is
     * Phi(delta / 2) (up to the 1/60 share of same-problem pairs, whose AUROC is Phi(delta / sqrt 2)), so the
     * true difference is known; the paired 95% interval must cover it in [0.92, 0.98] of the runs, about three
     * binomial standard deviations (0.011) around 0.95.
     */
    @Test
    void pairedIntervalsCoverTheTrueDifference() {
        double a = 0.6914624612740131 * (59.0 / 60) + 0.7602499389065233 / 60; // Phi(1/2), Phi(1/sqrt 2)
        double b = 0.5987063256829237 * (59.0 / 60) + 0.6381631950841185 / 60; // Phi(1/4), Phi(1/(2 sqrt 2))
        double truth = b - a;
        Random rnd = new Random(6);
        int hits = 0;
        int runs = 400;
        double pairedSe = 0;
        double unpairedSe = 0;
        for (int run = 0; run < runs; run++) {
            double[] difficulty = uniform(rnd, 60, 0.1, 0.9);
            double[] shift = gaussian(rnd, 60);
            Rows ra = simulate(rnd, shift, difficulty, 4, 1.0, 0);
            Rows rb = simulate(rnd, shift, difficulty, 4, 0.5, 0);
            Interval d = paired(ra, rb);
            hits += d.low() <= truth && truth <= d.high() ? 1 : 0;
            pairedSe += d.stderr();
            unpairedSe += Math.hypot(Auroc.withInterval(ra.score, ra.correct, ra.problem).stderr(),
                    Auroc.withInterval(rb.score, rb.correct, rb.problem).stderr());
        }
        assertThat(hits / (double) runs).isBetween(0.92, 0.98);
        // The problem shift is shared by both runs: pairing removes part of it from the error.
        assertThat(pairedSe).isLessThan(unpairedSe);
    }

    @Test
    void undefinedWhenEitherRunHasOneClassOnly() {
        double[] s = {1, 2, 3};
        int[] q = {0, 1, 2};
        Interval d = Auroc.pairedDifference(s, new boolean[] {true, true, true}, q, s, new boolean[] {true, false, true}, q);
        assertThat(d.estimate()).isNaN();
        assertThat(d.isDefined()).isFalse();
    }

    @Test
    void theClusteredMeanOfEqualSizedProblemsHasTheJackknifeError() {
        Random rnd = new Random(3);
        int problems = 40;
        double[][] values = new double[problems][];
        for (int p = 0; p < problems; p++) {
            double centre = rnd.nextGaussian();
            values[p] = new double[] {centre + rnd.nextGaussian(), centre + rnd.nextGaussian(), centre + rnd.nextGaussian()};
        }
        ToDoubleFunction<Integer> meanWithout = skip -> {
            double sum = 0;
            int n = 0;
            for (int p = 0; p < problems; p++) {
                if (p != skip) {
                    for (double v : values[p]) {
                        sum += v;
                        n++;
                    }
                }
            }
            return sum / n;
        };
        double[] sums = new double[problems];
        double[] counts = new double[problems];
        for (int p = 0; p < problems; p++) {
            for (double v : values[p]) {
                sums[p] += v;
            }
            counts[p] = 3;
        }
        Interval m = Intervals.clusteredMean(sums, counts);
        assertThat(m.estimate()).isCloseTo(meanWithout.applyAsDouble(-1), within(1e-12));
        // With equal counts the pooled mean is a plain mean of problem means, whose jackknife error is exact.
        assertThat(m.stderr()).isCloseTo(jackknife(problems, p -> meanWithout.applyAsDouble(p)), within(1e-12));
        assertThat(m.low()).isCloseTo(m.estimate() - Interval.Z95 * m.stderr(), within(1e-12));
    }
}
