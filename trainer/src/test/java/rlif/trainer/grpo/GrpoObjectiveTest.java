package rlif.trainer.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GrpoObjectiveTest {
    private static GrpoObjective.Completion[] randomBatch(Random rnd, double spread) {
        int[] lengths = {3, 1, 5, 2};
        GrpoObjective.Completion[] batch = new GrpoObjective.Completion[lengths.length];
        for (int i = 0; i < lengths.length; i++) {
            int n = lengths[i];
            double[] l = new double[n];
            double[] old = new double[n];
            double[] ref = new double[n];
            double[] h = new double[n];
            for (int t = 0; t < n; t++) {
                old[t] = -0.2 - rnd.nextDouble() * 2;
                l[t] = old[t] + spread * rnd.nextGaussian();
                ref[t] = old[t] + 0.3 * rnd.nextGaussian();
                h[t] = rnd.nextDouble() * 3;
            }
            batch[i] = new GrpoObjective.Completion(l, old, ref, h, rnd.nextGaussian());
        }
        return batch;
    }

    private static double loss(GrpoObjective obj, GrpoObjective.Completion[] b) {
        return obj.evaluate(b).loss();
    }

    @Test
    void gradientsMatchCentralFiniteDifferencesForEveryLossType() {
        for (LossType type : LossType.values()) {
            GrpoObjective obj = new GrpoObjective(new GrpoSettings(0.2, 0.28, 0.05, 0.01, type), 7);
            GrpoObjective.Completion[] batch = randomBatch(new Random(7), 0.3);
            GrpoObjective.Result r = obj.evaluate(batch);
            double h = 1e-6;
            for (int i = 0; i < batch.length; i++) {
                for (int t = 0; t < batch[i].logprobs().length; t++) {
                    double keep = batch[i].logprobs()[t];
                    batch[i].logprobs()[t] = keep + h;
                    double up = loss(obj, batch);
                    batch[i].logprobs()[t] = keep - h;
                    double down = loss(obj, batch);
                    batch[i].logprobs()[t] = keep;
                    // the loss is piecewise smooth; random points sit away from the clip kinks, so the
                    // central difference has O(h^2) error plus double rounding of about 1e-16/h
                    assertThat(r.dLogprobs()[i][t]).isCloseTo((up - down) / (2 * h), within(1e-8));

                    double keepH = batch[i].entropies()[t];
                    batch[i].entropies()[t] = keepH + h;
                    up = loss(obj, batch);
                    batch[i].entropies()[t] = keepH - h;
                    down = loss(obj, batch);
                    batch[i].entropies()[t] = keepH;
                    assertThat(r.dEntropies()[i][t]).isCloseTo((up - down) / (2 * h), within(1e-8));
                }
            }
        }
    }

    @Test
    void onPolicyLossIsMinusTheWeightedMeanAdvantageUnderEachLossType() {
        double[] l = {-1, -2};
        GrpoObjective.Completion a = new GrpoObjective.Completion(l, l.clone(), null, null, 1.0);
        double[] m = {-1, -1, -1, -1};
        GrpoObjective.Completion b = new GrpoObjective.Completion(m, m.clone(), null, null, -0.5);
        GrpoObjective.Completion[] batch = {a, b};
        double dapo = new GrpoObjective(GrpoSettings.symmetric(0.2, 0, 0, LossType.DAPO), 5).evaluate(batch).loss();
        double grpo = new GrpoObjective(GrpoSettings.symmetric(0.2, 0, 0, LossType.GRPO), 5).evaluate(batch).loss();
        double dr = new GrpoObjective(GrpoSettings.symmetric(0.2, 0, 0, LossType.DR_GRPO), 5).evaluate(batch).loss();
        // ratio 1 everywhere: DAPO = -(2*1 + 4*(-0.5))/6 = 0; GRPO = -(1 + -0.5)/2 = -0.25;
        // Dr. GRPO = -(2*1 + 4*(-0.5)) / (2 completions * L 5) = 0
        assertThat(dapo).isCloseTo(0, within(1e-15));
        assertThat(grpo).isCloseTo(-0.25, within(1e-15));
        assertThat(dr).isCloseTo(0, within(1e-15));
        GrpoObjective.Completion c = new GrpoObjective.Completion(new double[] {-1}, new double[] {-1}, null, null, 1.0);
        assertThat(new GrpoObjective(GrpoSettings.symmetric(0.2, 0, 0, LossType.DR_GRPO), 5)
                .evaluate(new GrpoObjective.Completion[] {a, c}).loss()).isCloseTo(-(2 + 1) / 10.0, within(1e-15));
    }

    @Test
    void tokensPastTheClipRangeInTheAdvantagesDirectionGetNoGradientAndAreCounted() {
        GrpoSettings s = new GrpoSettings(0.2, 0.3, 0, 0, LossType.DAPO);
        // ratios e^0.5 = 1.65 (positive advantage: clipped at 1.3) and e^-0.5 = 0.61 (positive advantage: not clipped)
        GrpoObjective.Completion c = new GrpoObjective.Completion(new double[] {0.5, -0.5}, new double[] {0, 0},
                null, null, 2.0);
        GrpoObjective.Result r = new GrpoObjective(s, 4).evaluate(new GrpoObjective.Completion[] {c});
        assertThat(r.dLogprobs()[0][0]).isZero();
        assertThat(r.dLogprobs()[0][1]).isCloseTo(-2.0 * Math.exp(-0.5) / 2, within(1e-15));
        assertThat(r.clipHigh()).isEqualTo(0.5);
        assertThat(r.clipLow()).isZero();
        assertThat(r.loss()).isCloseTo(-(1.3 * 2 + Math.exp(-0.5) * 2) / 2, within(1e-15));
        // a negative advantage is clipped below: ratio 0.61 < 0.8
        GrpoObjective.Completion d = new GrpoObjective.Completion(new double[] {-0.5}, new double[] {0}, null, null, -1);
        assertThat(new GrpoObjective(s, 4).evaluate(new GrpoObjective.Completion[] {d}).clipLow()).isEqualTo(1.0);
    }

    @Test
    void k3IsZeroWhenPolicyEqualsReferenceAndPositiveOtherwise() {
        GrpoSettings s = GrpoSettings.symmetric(0.2, 1.0, 0, LossType.DAPO);
        double[] l = {-1, -2};
        GrpoObjective.Completion same = new GrpoObjective.Completion(l, l.clone(), l.clone(), null, 0);
        assertThat(new GrpoObjective(s, 4).evaluate(new GrpoObjective.Completion[] {same}).meanKl()).isZero();
        GrpoObjective.Completion apart = new GrpoObjective.Completion(l, l.clone(), new double[] {-1.5, -1.5}, null, 0);
        double kl = new GrpoObjective(s, 4).evaluate(new GrpoObjective.Completion[] {apart}).meanKl();
        // exp(d) - d - 1 for d = -0.5 and +0.5
        assertThat(kl).isCloseTo((Math.exp(-0.5) + 0.5 - 1 + Math.exp(0.5) - 0.5 - 1) / 2, within(1e-15));
    }
}
