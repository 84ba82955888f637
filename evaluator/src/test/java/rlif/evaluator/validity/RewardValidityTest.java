package rlif.evaluator.validity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import rlif.evaluator.metrics.Auroc;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.report.Signal;

class RewardValidityTest {
    private static RolloutRow row(int problem, int sample, int[] ids, double selfCertainty, Boolean correct) {
        return new RolloutRow(problem, "p" + problem, sample, "text", ids, "eos", ids.length, 1.0 / selfCertainty,
                selfCertainty, 0.5, -1, "1", "1", correct, null, null, null);
    }

    @Test
    void withinGroupAurocCountsOnlyPairsOfOneGroup() {
        // Group 0: the correct completion is the more confident one. Group 1: the wrong one is. Across groups
        // every correct completion is less confident than every wrong one (AUROC 0), within groups half agree.
        List<RolloutRow> rows = List.of(
                row(0, 0, new int[] {1}, 2.0, true), row(0, 1, new int[] {2}, 1.0, false),
                row(1, 0, new int[] {1}, 3.0, true), row(1, 1, new int[] {2}, 4.0, false),
                row(2, 0, new int[] {1}, 5.0, false), row(2, 1, new int[] {2}, 5.0, false));
        RewardValidity.Report r = RewardValidity.of("toy", rows);
        RewardValidity.SignalValidity sc = r.signals().getFirst();
        assertThat(sc.signal()).isEqualTo(Signal.SELF_CERTAINTY);
        assertThat(sc.withinGroupPairs()).isEqualTo(2);
        assertThat(sc.withinGroupAuroc().estimate()).isEqualTo(0.5);
        assertThat(sc.auroc().estimate()).isEqualTo(Auroc.of(new double[] {2, 1, 3, 4, 5, 5},
                new boolean[] {true, false, true, false, false, false}));
        assertThat(r.mixedGroups()).isEqualTo(2);
        assertThat(r.accuracy()).isEqualTo(2.0 / 6);
        // token entropy is 1 / self-certainty here, so its confidence (minus the entropy) ranks like self-certainty
        assertThat(r.signals().get(1).withinGroupAuroc().estimate()).isEqualTo(0.5);
    }

    /** {@code groups} prompts of {@code size} completions; a completion holds 10 tokens from a vocabulary of 30. */
    private static List<ContentRegression.Item> items(int groups, int size, double contentWeight, double noise, long seed) {
        Random rnd = new Random(seed);
        double[] tokenValue = new double[30];
        for (int t = 0; t < tokenValue.length; t++) {
            tokenValue[t] = rnd.nextGaussian();
        }
        List<ContentRegression.Item> out = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            double groupEffect = 5 * rnd.nextGaussian();
            for (int i = 0; i < size; i++) {
                int[] ids = new int[10];
                double mean = 0;
                for (int k = 0; k < ids.length; k++) {
                    ids[k] = rnd.nextInt(tokenValue.length);
                    mean += tokenValue[ids[k]] / ids.length;
                }
                out.add(new ContentRegression.Item(g, ids, groupEffect + contentWeight * mean + noise * rnd.nextGaussian()));
            }
        }
        return out;
    }

    @Test
    void aSignalThatIsTheMeanOfPerTokenValuesIsExplainedByContentAndNoiseIsNot() {
        // the arith models' failure in miniature: the signal is the mean of a per-token value, plus a group effect
        // (which centring removes); out of fold the histogram explains nearly all of the within-group variance
        ContentRegression.Result content = ContentRegression.of(items(200, 4, 1.0, 0.0, 1), 3);
        assertThat(content.r2().estimate()).isGreaterThan(0.95);
        assertThat(content.groups()).isEqualTo(200);
        // pure noise within groups: nothing to explain, and the interval says so
        ContentRegression.Result noise = ContentRegression.of(items(200, 4, 0.0, 1.0, 2), 3);
        assertThat(noise.r2().estimate()).isBetween(-0.1, 0.05);
        assertThat(noise.r2().low()).isLessThan(0);
        // content and noise of similar size: the share lands near the truth, the within-group share of the
        // content part's variance in the generated data (the fit's own error costs a little of it out of fold)
        List<ContentRegression.Item> mixed = items(400, 4, 1.0, Math.sqrt(0.1), 4);
        List<ContentRegression.Item> contentOnly = items(400, 4, 1.0, 0.0, 4);
        double truth = withinGroupSumOfSquares(contentOnly) / withinGroupSumOfSquares(mixed);
        ContentRegression.Result half = ContentRegression.of(mixed, 3);
        assertThat(truth).isBetween(0.3, 0.7);
        assertThat(half.r2().estimate()).isCloseTo(truth, within(0.05));
        assertThat(half.r2().low()).isLessThan(half.r2().estimate());
    }

    private static double withinGroupSumOfSquares(List<ContentRegression.Item> items) {
        java.util.Map<Integer, List<Double>> groups = new java.util.TreeMap<>();
        items.forEach(it -> groups.computeIfAbsent(it.problem(), k -> new ArrayList<>()).add(it.value()));
        double ss = 0;
        for (List<Double> g : groups.values()) {
            double mean = g.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            ss += g.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        }
        return ss;
    }

    @Test
    void ridgeWeightsSolveTheNormalEquations() {
        // against Gaussian elimination with partial pivoting on the dense normal equations
        Random rnd = new Random(5);
        int dim = 6;
        List<ContentRegression.Row> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int[] idx = {0, 2, 3, 5};
            double[] val = new double[idx.length];
            for (int k = 0; k < val.length; k++) {
                val[k] = rnd.nextGaussian();
            }
            rows.add(new ContentRegression.Row(idx, val, rnd.nextGaussian()));
        }
        double[] w = ContentRegression.fit(rows, dim, 0.1);
        double[][] a = new double[dim][dim + 1];
        double trace = 0;
        for (ContentRegression.Row r : rows) {
            for (int i = 0; i < r.idx().length; i++) {
                for (int j = 0; j < r.idx().length; j++) {
                    a[r.idx()[i]][r.idx()[j]] += r.val()[i] * r.val()[j];
                }
                a[r.idx()[i]][dim] += r.val()[i] * r.y();
            }
        }
        for (int i = 0; i < dim; i++) {
            trace += a[i][i];
        }
        for (int i = 0; i < dim; i++) {
            a[i][i] += 0.1 * trace / dim;
        }
        for (int c = 0; c < dim; c++) {
            int p = c;
            for (int r = c + 1; r < dim; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[p][c])) {
                    p = r;
                }
            }
            double[] t = a[c];
            a[c] = a[p];
            a[p] = t;
            for (int r = 0; r < dim; r++) {
                if (r != c) {
                    double f = a[r][c] / a[c][c];
                    for (int k = c; k <= dim; k++) {
                        a[r][k] -= f * a[c][k];
                    }
                }
            }
        }
        for (int i = 0; i < dim; i++) {
            assertThat(w[i]).as("w[%d]", i).isCloseTo(a[i][dim] / a[i][i], within(1e-12));
        }
        // columns 1 and 4 never occur: the penalty alone holds them at zero
        assertThat(w[1]).isZero();
        assertThat(w[4]).isZero();
    }

    @Test
    void tooFewGroupsOrNoWithinGroupVarianceIsUndefined() {
        assertThat(ContentRegression.of(items(3, 4, 1.0, 0.0, 1), 3).r2().estimate()).isNaN();
        List<ContentRegression.Item> flat = new ArrayList<>();
        for (ContentRegression.Item it : items(50, 4, 1.0, 0.0, 1)) {
            flat.add(new ContentRegression.Item(it.problem(), it.tokens(), it.problem()));
        }
        assertThat(ContentRegression.of(flat, 3).r2().estimate()).isNaN();
    }
}
