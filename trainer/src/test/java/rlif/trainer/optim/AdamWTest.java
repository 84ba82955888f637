package rlif.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {
    /** Textbook AdamW in double, written out separately from the production loop. */
    private static double[] reference(double[] w, double[][] grads, double[] lrs, double b1, double b2, double eps,
            double wd) {
        double[] m = new double[w.length];
        double[] v = new double[w.length];
        double[] x = w.clone();
        for (int t = 1; t <= grads.length; t++) {
            double lr = lrs[t - 1];
            for (int i = 0; i < x.length; i++) {
                double g = grads[t - 1][i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mh = m[i] / (1 - Math.pow(b1, t));
                double vh = v[i] / (1 - Math.pow(b2, t));
                x[i] = x[i] - lr * wd * x[i] - lr * mh / (Math.sqrt(vh) + eps);
            }
        }
        return x;
    }

    @Test
    void matchesDoublePrecisionAdamWOverSeveralStepsWithDecayAndChangingRate() {
        double[] w0 = {0.5, -1.25, 2.0, 0.0};
        double[][] grads = {{0.1, -0.2, 0.3, 0.0}, {-0.05, 0.4, 0.1, 1e-3}, {0.2, 0.2, -0.7, -2.0}};
        double[] lrs = {1e-2, 5e-3, 2e-3};
        double[] expected = reference(w0, grads, lrs, 0.9, 0.95, 1e-8, 0.1);

        AdamW opt = new AdamW(new AdamWConfig(1e-2, 0.9, 0.95, 1e-8, 0.1));
        Map<String, float[]> params = new LinkedHashMap<>();
        params.put("w", toFloats(w0));
        for (int t = 0; t < grads.length; t++) {
            opt.update(params, Map.of("w", grads[t]), lrs[t]);
        }
        // float32 storage of w, m, v between steps: a few ulps of values of order 1
        for (int i = 0; i < w0.length; i++) {
            assertThat((double) params.get("w")[i]).isCloseTo(expected[i], within(1e-6));
        }
        assertThat(opt.step()).isEqualTo(3);
    }

    @Test
    void firstStepMovesEachWeightByTheLearningRateThanksToBiasCorrection() {
        AdamW opt = new AdamW(new AdamWConfig(0.1, 0.9, 0.999, 1e-12, 0));
        Map<String, float[]> params = Map.of("w", new float[] {1f, 1f});
        opt.update(params, Map.of("w", new double[] {1e-3, -50}), 0.1);
        // without bias correction the step would be 0.1 * 0.1/sqrt(0.001) = 0.316, not 0.1
        assertThat((double) params.get("w")[0]).isCloseTo(0.9, within(1e-6));
        assertThat((double) params.get("w")[1]).isCloseTo(1.1, within(1e-6));
    }

    @Test
    void restoredStateContinuesExactlyLikeAnUninterruptedRun() {
        AdamWConfig cfg = new AdamWConfig(1e-2, 0.9, 0.99, 1e-8, 0.01);
        double[][] grads = {{0.3, -0.1}, {0.2, 0.5}, {-0.4, 0.1}, {0.05, 0.05}};
        AdamW straight = new AdamW(cfg);
        Map<String, float[]> a = Map.of("w", new float[] {1f, -1f});
        for (double[] g : grads) {
            straight.update(a, Map.of("w", g), 1e-2);
        }
        AdamW first = new AdamW(cfg);
        Map<String, float[]> b = Map.of("w", new float[] {1f, -1f});
        first.update(b, Map.of("w", grads[0]), 1e-2);
        first.update(b, Map.of("w", grads[1]), 1e-2);
        AdamW resumed = new AdamW(cfg);
        resumed.restore(first.state());
        resumed.update(b, Map.of("w", grads[2]), 1e-2);
        resumed.update(b, Map.of("w", grads[3]), 1e-2);
        assertThat(b.get("w")).containsExactly(a.get("w"));
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
