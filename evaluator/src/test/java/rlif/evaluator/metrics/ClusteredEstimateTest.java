package rlif.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Standard errors clustered by problem, checked against independent references: the textbook standard error
 * of a mean, the leave-one-problem-out jackknife computed by brute force with {@link Auroc#of}, and the
 * coverage of the 95% intervals over simulated data sets whose true value is known.
 */
class ClusteredEstimateTest {
    /** Rollouts of one simulated run: score, label and problem of each. */
    record Rows(double[] score, boolean[] correct, int[] problem) {
        int size() {
            return score.length;
        }

        Rows without(int p) {
            List<Integer> keep = new ArrayList<>();
            for (int i = 0; i < size(); i++) {
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
    }

    /**
     * {@code problems} problems of {@code samples} rollouts; each problem has a difficulty (its chance of a
     * correct rollout) and a shift shared by its rollouts' scores, so rollouts of a problem are correlated as
     * real ones are; correct rollouts score {@code separation} higher.
     */
    static Rows simulate(Random rnd, int problems, int samples, double separation, double[] difficulty, double boost) {
        int n = problems * samples;
        double[] s = new double[n];
        boolean[] c = new boolean[n];
        int[] q = new int[n];
        for (int p = 0; p < problems; p++) {
            double shift = rnd.nextGaussian();
            for (int k = 0; k < samples; k++) {
                int i = p * samples + k;
                q[i] = p;
                c[i] = rnd.nextDouble() < Math.min(1, difficulty[p] + boost);
                s[i] = shift + rnd.nextGaussian() + (c[i] ? separation : 0);
            }
        }
        return new Rows(s, c, q);
    }

    static double[] difficulties(Random rnd, int problems) {
        double[] d = new double[problems];
        for (int p = 0; p < problems; p++) {
            d[p] = 0.1 + 0.8 * rnd.nextDouble();
        }
        return d;
    }

    static ClusteredEstimate accuracy(Rows r) {
        Map<Integer, double[]> m = new TreeMap<>();
        for (int i = 0; i < r.size(); i++) {
            double[] sc = m.computeIfAbsent(r.problem[i], p -> new double[2]);
            sc[0] += r.correct[i] ? 1 : 0;
            sc[1]++;
        }
        return ClusteredEstimate.pooledMean(m);
    }

    static ClusteredEstimate auroc(Rows r) {
        return ClusteredEstimate.auroc(r.score, r.correct, r.problem);
    }

    /** The leave-one-problem-out jackknife standard error of {@code statistic}. */
    static double jackknife(Rows r, int problems, ToDoubleFunction<Rows> statistic) {
        double[] loo = new double[problems];
        double mean = 0;
        for (int p = 0; p < problems; p++) {
            loo[p] = statistic.applyAsDouble(r.without(p));
            mean += loo[p] / problems;
        }
        double ss = 0;
        for (double x : loo) {
            ss += (x - mean) * (x - mean);
        }
        return Math.sqrt(ss * (problems - 1) / problems);
    }

    @Test
    void aMeanOverProblemsHasTheTextbookStandardError() {
        Random rnd = new Random(1);
        Map<Integer, Double> x = new HashMap<>();
        Stats stats = new Stats();
        for (int p = 0; p < 37; p++) {
            double v = rnd.nextDouble();
            x.put(p, v);
            stats.add(v);
        }
        ClusteredEstimate e = ClusteredEstimate.meanOverProblems(x);
        assertThat(e.value()).isCloseTo(stats.mean(), within(1e-12));
        assertThat(e.standardError()).isCloseTo(stats.std() / Math.sqrt(37), within(1e-12));
        assertThat(e.problems()).isEqualTo(37);
    }

    @Test
    void theAurocIsAurocOfAndItsErrorMatchesTheJackknifeOverProblems() {
        Random rnd = new Random(2);
        int problems = 60;
        Rows r = simulate(rnd, problems, 4, 1.0, difficulties(rnd, problems), 0);
        ClusteredEstimate e = auroc(r);
        assertThat(e.value()).isCloseTo(Auroc.of(r.score, r.correct), within(1e-12));
        double jack = jackknife(r, problems, rows -> Auroc.of(rows.score, rows.correct));
        // The influence is the jackknife's first-order term; they differ by O(1/problems), a few percent here.
        assertThat(e.standardError()).isCloseTo(jack, within(0.05 * jack));
    }

    @Test
    void aurocWithTiesAndNaNScoresAgreesWithAurocOf() {
        double[] s = {1, 1, 2, Double.NaN, 0, 2, 1, 3};
        boolean[] c = {true, false, true, true, false, false, true, false};
        int[] q = {0, 0, 1, 1, 2, 2, 3, 3};
        ClusteredEstimate e = ClusteredEstimate.auroc(s, c, q);
        assertThat(e.value()).isCloseTo(Auroc.of(s, c), within(1e-12));
        assertThat(e.influence().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(0, within(1e-12));
    }

    @Test
    void accuracyErrorMatchesTheJackknifeOverProblems() {
        Random rnd = new Random(3);
        int problems = 50;
        Rows r = simulate(rnd, problems, 8, 1.0, difficulties(rnd, problems), 0);
        double jack = jackknife(r, problems, rows -> accuracy(rows).value());
        // With equal samples per problem the ratio is a plain mean over problems: the two agree exactly.
        assertThat(accuracy(r).standardError()).isCloseTo(jack, within(1e-12));
    }

    @Test
    void pairedAurocDifferenceErrorMatchesThePairedJackknife() {
        Random rnd = new Random(4);
        int problems = 60;
        double[] difficulty = difficulties(rnd, problems);
        Rows a = simulate(rnd, problems, 4, 1.0, difficulty, 0);
        Rows b = simulate(rnd, problems, 4, 0.5, difficulty, 0.05);
        ClusteredEstimate d = auroc(b).minus(auroc(a));
        assertThat(d.value()).isCloseTo(Auroc.of(b.score, b.correct) - Auroc.of(a.score, a.correct), within(1e-12));
        double[] loo = new double[problems];
        double mean = 0;
        for (int p = 0; p < problems; p++) {
            Rows bp = b.without(p);
            Rows ap = a.without(p);
            loo[p] = Auroc.of(bp.score, bp.correct) - Auroc.of(ap.score, ap.correct);
            mean += loo[p] / problems;
        }
        double ss = 0;
        for (double x : loo) {
            ss += (x - mean) * (x - mean);
        }
        double jack = Math.sqrt(ss * (problems - 1) / problems);
        assertThat(d.standardError()).isCloseTo(jack, within(0.05 * jack));
    }

    /**
     * Over 400 simulated pairs of runs on shared problems (difficulty shared, model B 0.05 more likely correct on
     * every problem), the paired interval of the accuracy difference covers the true 0.05 about 95% of the time:
     * the observed share must be in [0.92, 0.98], about three binomial standard deviations (0.011) around 0.95.
     */
    @Test
    void pairedAccuracyIntervalsCoverTheTrueDifference() {
        Random rnd = new Random(5);
        int hits = 0;
        int runs = 400;
        double unpairedWidth = 0;
        double pairedWidth = 0;
        for (int run = 0; run < runs; run++) {
            int problems = 60;
            double[] difficulty = difficulties(rnd, problems);
            ClusteredEstimate a = accuracy(simulate(rnd, problems, 4, 1.0, difficulty, 0));
            ClusteredEstimate b = accuracy(simulate(rnd, problems, 4, 1.0, difficulty, 0.05));
            double[] ci = b.minus(a).interval95(-1, 1);
            hits += ci[0] <= 0.05 && 0.05 <= ci[1] ? 1 : 0;
            pairedWidth += b.minus(a).standardError();
            unpairedWidth += Math.hypot(a.standardError(), b.standardError());
        }
        assertThat(hits / (double) runs).isBetween(0.92, 0.98);
        // Pairing removes the shared difficulty (variance 0.8^2/12 = 0.053 between problems against 0.049 within a
        // problem's mean of 4 samples): the paired error is about sqrt(0.049 / 0.102) = 0.69 of the unpaired one.
        assertThat(pairedWidth / unpairedWidth).isBetween(0.6, 0.78);
    }

    @Test
    void aurocIntervalsCoverTheTrueAuroc() {
        // Scores of correct rollouts are N(1, 2) against N(0, 2) for incorrect ones across problems (problem
        // shift and noise, unit variance each), so the pooled AUROC is Phi(1/2) up to the 1/60 share of
        // same-problem pairs (Phi(1/sqrt 2)), a 0.001 shift, well inside the 0.04 standard error.
        double truth = 0.6914624612740131 * (59.0 / 60) + 0.7602499389065233 / 60;
        Random rnd = new Random(6);
        int hits = 0;
        int runs = 400;
        for (int run = 0; run < runs; run++) {
            double[] ci = auroc(simulate(rnd, 60, 4, 1.0, difficulties(rnd, 60), 0)).interval95(0, 1);
            hits += ci[0] <= truth && truth <= ci[1] ? 1 : 0;
        }
        assertThat(hits / (double) runs).isBetween(0.92, 0.98);
    }

    @Test
    void aShareWithNoFailureGetsTheRuleOfThreeInsteadOfAPoint() {
        Map<Integer, Double> all = new HashMap<>();
        for (int p = 0; p < 30; p++) {
            all.put(p, 1.0);
        }
        assertThat(ClusteredEstimate.meanOverProblems(all).shareInterval95()).containsExactly(0.9, 1.0);
        all.replaceAll((p, x) -> 0.0);
        assertThat(ClusteredEstimate.meanOverProblems(all).shareInterval95()).containsExactly(0.0, 0.1);
    }

    @Test
    void undefinedEstimatesStayUndefined() {
        ClusteredEstimate none = ClusteredEstimate.auroc(new double[] {1, 2}, new boolean[] {true, true}, new int[] {0, 1});
        assertThat(none.value()).isNaN();
        assertThat(none.standardError()).isNaN();
        assertThat(none.minus(none).value()).isNaN();
        assertThat(ClusteredEstimate.meanOverProblems(Map.of(0, 0.5)).standardError()).isNaN();
    }
}
