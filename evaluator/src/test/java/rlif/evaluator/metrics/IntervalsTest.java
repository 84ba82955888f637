package rlif.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class IntervalsTest {
    /** Both sides are a few dozen double operations on small numbers. */
    private static final double EXACT = 1e-12;

    @Test
    void oneRolloutPerProblemGivesTheSampleStandardErrorOfTheMean() {
        // 7 of 20 correct: lm-evaluation-harness reports sqrt(sum (x - mean)^2 / (n - 1)) / sqrt(n)
        double[] s = new double[20];
        double[] t = new double[20];
        for (int i = 0; i < 20; i++) {
            s[i] = i < 7 ? 1 : 0;
            t[i] = 1;
        }
        Interval a = Intervals.proportion(s, t);
        double mean = 7 / 20.0;
        double ss = 7 * Math.pow(1 - mean, 2) + 13 * Math.pow(mean, 2);
        assertThat(a.estimate()).isCloseTo(mean, within(EXACT));
        assertThat(a.stderr()).isCloseTo(Math.sqrt(ss / 19) / Math.sqrt(20), within(EXACT));
    }

    @Test
    void equalRolloutsPerProblemGiveTheStandardErrorOfTheProblemMeans() {
        Random r = new Random(3);
        int problems = 25;
        int k = 6;
        double[] s = new double[problems];
        double[] t = new double[problems];
        double[] perProblem = new double[problems];
        for (int i = 0; i < problems; i++) {
            s[i] = r.nextInt(k + 1);
            t[i] = k;
            perProblem[i] = s[i] / k;
        }
        Stats means = new Stats();
        for (double p : perProblem) {
            means.add(p);
        }
        Interval a = Intervals.proportion(s, t);
        assertThat(a.estimate()).isCloseTo(means.mean(), within(EXACT));
        assertThat(a.stderr()).isCloseTo(means.std() / Math.sqrt(problems), within(EXACT));
        assertThat(Intervals.mean(perProblem).stderr()).isCloseTo(a.stderr(), within(EXACT));
    }

    @Test
    void unequalClusterSizesUseTheRatioEstimatorsClusterRobustVariance() {
        // hand-worked: successes 1, 3, 0 of 2, 4, 1 trials -> p = 4/7; residuals 1-8/7, 3-16/7, 0-4/7
        Interval a = Intervals.proportion(new double[] {1, 3, 0}, new double[] {2, 4, 1});
        double p = 4.0 / 7;
        double ss = Math.pow(1 - 2 * p, 2) + Math.pow(3 - 4 * p, 2) + Math.pow(0 - p, 2);
        assertThat(a.estimate()).isCloseTo(p, within(EXACT));
        assertThat(a.stderr()).isCloseTo(Math.sqrt(1.5 * ss) / 7, within(EXACT));
    }

    /** Wilson intervals published in Newcombe (1998), Statistics in Medicine 17:857, table I (4 decimals). */
    @Test
    void wilsonMatchesNewcombesPublishedIntervals() {
        double table = 5e-5; // the table's rounding
        assertThat(Intervals.wilson(81 / 263.0, 263)).containsExactly(new double[] {0.2553, 0.3662}, within(table));
        assertThat(Intervals.wilson(15 / 148.0, 148)).containsExactly(new double[] {0.0624, 0.1605}, within(table));
        assertThat(Intervals.wilson(0 / 20.0, 20)).containsExactly(new double[] {0.0, 0.1611}, within(table));
        assertThat(Intervals.wilson(1 / 29.0, 29)).containsExactly(new double[] {0.0061, 0.1718}, within(table));
    }

    @Test
    void allCorrectStillHasAnIntervalBelowOneFromTheNumberOfProblems() {
        double[] s = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4};
        double[] t = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4};
        Interval a = Intervals.proportion(s, t);
        assertThat(a.estimate()).isEqualTo(1.0);
        assertThat(a.stderr()).isZero();
        // ten problems, not forty rollouts: the rollouts of one problem may agree for that problem's reasons
        assertThat(new double[] {a.low(), a.high()}).containsExactly(Intervals.wilson(1.0, 10), within(EXACT));
        assertThat(a.low()).isLessThan(0.75);
    }

    @Test
    void tooFewProblemsLeaveTheIntervalUndefined() {
        assertThat(Intervals.proportion(new double[] {3}, new double[] {4}).isDefined()).isFalse();
        assertThat(Intervals.proportion(new double[] {3}, new double[] {4}).estimate()).isEqualTo(0.75);
        assertThat(Intervals.proportion(new double[0], new double[0]).estimate()).isNaN();
        assertThat(Intervals.mean(new double[] {1, Double.NaN}).isDefined()).isFalse();
    }

    /**
     * The point of clustering: problems of varying difficulty, eight rollouts each. The spread of the accuracy
     * over 4000 simulated runs is what the standard error must estimate; the 95% intervals must cover the true
     * accuracy about 95% of the time. Treating the 320 rollouts as independent (binomial) would understate
     * the spread by more than half, so this test fails for an unclustered error.
     */
    @Test
    void clusteredStandardErrorMatchesTheSpreadOfSimulatedRunsAndCovers95Percent() {
        Random r = new Random(11);
        int problems = 40;
        int k = 8;
        int runs = 4000;
        double truth = 0.5; // difficulties uniform on [0, 1]
        Stats estimates = new Stats();
        Stats stderrs = new Stats();
        Stats binomial = new Stats();
        int covered = 0;
        for (int run = 0; run < runs; run++) {
            double[] s = new double[problems];
            double[] t = new double[problems];
            for (int i = 0; i < problems; i++) {
                double q = r.nextDouble();
                for (int j = 0; j < k; j++) {
                    s[i] += r.nextDouble() < q ? 1 : 0;
                }
                t[i] = k;
            }
            Interval a = Intervals.proportion(s, t);
            estimates.add(a.estimate());
            stderrs.add(a.stderr());
            binomial.add(Math.sqrt(a.estimate() * (1 - a.estimate()) / (problems * k)));
            covered += a.low() <= truth && truth <= a.high() ? 1 : 0;
        }
        // 4000 runs estimate the spread to about 1/sqrt(2 * 4000) = 1.1%; allow 5%
        assertThat(stderrs.mean() / estimates.std()).isCloseTo(1.0, within(0.05));
        assertThat(binomial.mean() / estimates.std()).isLessThan(0.7);
        // coverage of 4000 runs has a standard error of 0.35%; Wilson at 40 problems is within 1.5% of 95%
        assertThat(covered / (double) runs).isCloseTo(0.95, within(0.015));
    }

    @Test
    void pairedDifferenceIsTheMeanDifferenceWithTheSpreadOfTheDifferences() {
        double[] a = {0.5, 1.0, 0.25, 0.75, Double.NaN};
        double[] b = {0.25, 1.0, 0.0, 0.25, 0.5};
        Interval d = Intervals.pairedDifference(a, b);
        double[] diff = {0.25, 0.0, 0.25, 0.5};
        double mean = 0.25;
        double ss = 0;
        for (double x : diff) {
            ss += (x - mean) * (x - mean);
        }
        double se = Math.sqrt(ss / 3) / 2;
        assertThat(d.estimate()).isCloseTo(mean, within(EXACT));
        assertThat(d.stderr()).isCloseTo(se, within(EXACT));
        assertThat(d.low()).isCloseTo(mean - Interval.Z95 * se, within(EXACT));
        assertThat(d.high()).isCloseTo(mean + Interval.Z95 * se, within(EXACT));
    }
}
