package rlif.trainer.optim;

import java.util.Map;

/** Global-norm gradient clipping: all gradients scaled together so their joint L2 norm is at most a bound. */
public final class GradientClipping {
    private GradientClipping() {}

    /** The L2 norm of all gradients taken as one vector, accumulated in double. */
    public static double globalNorm(Map<String, double[]> gradients) {
        double sum = 0;
        for (double[] g : gradients.values()) {
            for (double x : g) {
                sum += x * x;
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * Scales every gradient by {@code maxNorm / norm} when the global norm exceeds {@code maxNorm}
     * ({@code maxNorm <= 0} turns clipping off) and returns the norm before clipping.
     */
    public static double clip(Map<String, double[]> gradients, double maxNorm) {
        double norm = globalNorm(gradients);
        if (maxNorm > 0 && norm > maxNorm) {
            // the small epsilon matches common practice (PyTorch uses 1e-6) and keeps the scale finite
            double scale = maxNorm / (norm + 1e-6);
            for (double[] g : gradients.values()) {
                for (int i = 0; i < g.length; i++) {
                    g[i] *= scale;
                }
            }
        }
        return norm;
    }
}
