package rlif.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RocAndCalibrationTest {
    private static final double EXACT = 1e-12;

    @Test
    void rocPointsAreTheRatesAtEachDistinctThresholdAndTheirAreaIsTheAuroc() {
        Random r = new Random(17);
        for (int trial = 0; trial < 30; trial++) {
            int n = 3 + r.nextInt(40);
            double[] s = new double[n];
            boolean[] y = new boolean[n];
            for (int i = 0; i < n; i++) {
                s[i] = r.nextInt(7);
                y[i] = i == 0 || (i != 1 && r.nextBoolean());
            }
            RocCurve roc = RocCurve.of(s, y);
            TreeSet<Double> thresholds = new TreeSet<>();
            for (double v : s) {
                thresholds.add(v);
            }
            assertThat(roc.falsePositiveRate()).hasSize(thresholds.size() + 1);
            int k = 1;
            for (double t : thresholds.descendingSet()) {
                double tp = 0;
                double fp = 0;
                double pos = 0;
                double neg = 0;
                for (int i = 0; i < n; i++) {
                    pos += y[i] ? 1 : 0;
                    neg += y[i] ? 0 : 1;
                    if (s[i] >= t) {
                        tp += y[i] ? 1 : 0;
                        fp += y[i] ? 0 : 1;
                    }
                }
                assertThat(roc.truePositiveRate()[k]).isCloseTo(tp / pos, within(EXACT));
                assertThat(roc.falsePositiveRate()[k]).isCloseTo(fp / neg, within(EXACT));
                k++;
            }
            assertThat(roc.area()).isCloseTo(Auroc.of(s, y), within(EXACT));
        }
    }

    @Test
    void rocOfOneClassIsTheDiagonal() {
        RocCurve roc = RocCurve.of(new double[] {1, 2, Double.NaN}, new boolean[] {true, true, false});
        assertThat(roc.falsePositiveRate()).containsExactly(0, 1);
        assertThat(roc.truePositiveRate()).containsExactly(0, 1);
    }

    @Test
    void calibrationBinsCoverEveryRowOnceKeepTiesTogetherAndCountCorrectShares() {
        // values 1..12 plus a run of ties at 5; correct when the value is above 6
        double[] v = {1, 2, 3, 4, 5, 5, 5, 5, 6, 7, 8, 9, 10, 11, 12, Double.NaN};
        boolean[] c = new boolean[v.length];
        int[] p = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            c[i] = v[i] > 6;
            p[i] = i / 2; // two rollouts per problem
        }
        List<Calibration.Bin> bins = Calibration.of(v, c, p, 4);
        assertThat(bins.stream().mapToInt(Calibration.Bin::rollouts).sum()).isEqualTo(15);
        for (int b = 1; b < bins.size(); b++) {
            assertThat(bins.get(b).low()).isGreaterThan(bins.get(b - 1).high());
        }
        // first bin: 1, 2, 3, 4 (quarter of 15, rounded); second: all four 5s, even past its quarter
        assertThat(bins.get(0).high()).isEqualTo(4);
        assertThat(bins.get(1).low()).isEqualTo(5);
        assertThat(bins.get(1).rollouts()).isEqualTo(4);
        assertThat(bins.get(1).meanValue()).isEqualTo(5);
        assertThat(bins.get(0).accuracy().estimate()).isZero();
        assertThat(bins.getLast().accuracy().estimate()).isEqualTo(1.0);
        // a middle bin's share is its correct count over its rollouts
        for (Calibration.Bin b : bins) {
            int correct = 0;
            for (int i = 0; i < v.length; i++) {
                correct += v[i] >= b.low() && v[i] <= b.high() && c[i] ? 1 : 0;
            }
            assertThat(b.accuracy().estimate()).isCloseTo((double) correct / b.rollouts(), within(EXACT));
        }
    }
}
