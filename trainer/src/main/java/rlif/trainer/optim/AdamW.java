package rlif.trainer.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter): Adam moments with bias correction, and weight decay applied to the
 * weights directly ({@code w -= lr * wd * w}) rather than added to the gradient, so it is not rescaled
 * by the adaptive denominator.
 *
 * <p>Parameters are float arrays updated in place; moments are float arrays too (as in PyTorch), while
 * gradients (accumulated over micro-batches) and every per-element update are computed in double, so rounding
 * does not depend on evaluation order.
 */
public final class AdamW {
    private final AdamWConfig config;
    private final Map<String, float[]> firstMoments = new LinkedHashMap<>();
    private final Map<String, float[]> secondMoments = new LinkedHashMap<>();
    private long step;

    public AdamW(AdamWConfig config) {
        this.config = config;
    }

    public AdamWConfig config() {
        return config;
    }

    /** The number of updates applied so far. */
    public long step() {
        return step;
    }

    /**
     * Applies one update to every parameter with the learning rate {@code lr} of this step (from the
     * schedule); {@code gradients} must have the same names and lengths as {@code params}. Gradients are
     * used as given: clip them first.
     */
    public void update(Map<String, float[]> params, Map<String, double[]> gradients, double lr) {
        step++;
        double b1 = config.beta1();
        double b2 = config.beta2();
        double correction1 = 1 - Math.pow(b1, step);
        double correction2 = 1 - Math.pow(b2, step);
        double decay = 1 - lr * config.weightDecay();
        for (Map.Entry<String, float[]> e : params.entrySet()) {
            String name = e.getKey();
            float[] w = e.getValue();
            double[] g = gradients.get(name);
            if (g == null || g.length != w.length) {
                throw new IllegalArgumentException("gradient for " + name + " missing or of the wrong length");
            }
            float[] m = firstMoments.computeIfAbsent(name, k -> new float[w.length]);
            float[] v = secondMoments.computeIfAbsent(name, k -> new float[w.length]);
            for (int i = 0; i < w.length; i++) {
                double gi = g[i];
                double mi = b1 * m[i] + (1 - b1) * gi;
                double vi = b2 * v[i] + (1 - b2) * gi * gi;
                m[i] = (float) mi;
                v[i] = (float) vi;
                double mHat = mi / correction1;
                double vHat = vi / correction2;
                w[i] = (float) (w[i] * decay - lr * mHat / (Math.sqrt(vHat) + config.eps()));
            }
        }
    }

    /** The optimiser state to checkpoint: step count and both moments per parameter. */
    public State state() {
        Map<String, float[]> m = new LinkedHashMap<>();
        Map<String, float[]> v = new LinkedHashMap<>();
        firstMoments.forEach((k, a) -> m.put(k, a.clone()));
        secondMoments.forEach((k, a) -> v.put(k, a.clone()));
        return new State(step, m, v);
    }

    /** Restores a checkpointed state; later updates then equal those of an uninterrupted run. */
    public void restore(State state) {
        step = state.step();
        firstMoments.clear();
        secondMoments.clear();
        state.firstMoments().forEach((k, a) -> firstMoments.put(k, a.clone()));
        state.secondMoments().forEach((k, a) -> secondMoments.put(k, a.clone()));
    }

    /** Names of parameters that have moments, in first-update order. */
    public List<String> names() {
        return List.copyOf(firstMoments.keySet());
    }

    /** A snapshot of AdamW's state. */
    public record State(long step, Map<String, float[]> firstMoments, Map<String, float[]> secondMoments) {}
}
