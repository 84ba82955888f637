package rlif.models.importer;

import rlif.models.BadInputException;
import rlif.models.tensor.Tensor;

/**
 * Recovers the rope theta behind precomputed rotary tables {@code cos[p, i] = cos(p * theta^(-2i/d))} (and sin),
 * as ORT-GenAI exports store them, and checks that the theta reproduces the tables.
 */
final class RotaryTables {
    /**
     * The exporter computes angles in float32 and stores float16: rounding of values in [-1, 1] is at most 2^-11,
     * float32 angle error at position 2047 about 2e-4 rad. 2e-3 accepts that and rejects a theta off by even 0.1%
     * (which moves the angle of pair 1 at the last position by tenths of a radian).
     */
    static final double TOLERANCE = 2e-3;

    private RotaryTables() {}

    static double theta(Tensor cos, Tensor sin, int headDim, String where) {
        long[] s = cos.shape();
        if (s.length != 2 || s[1] != headDim / 2 || !java.util.Arrays.equals(s, sin.shape()) || s[0] < 2) {
            throw new BadInputException(where + ": cos_cache/sin_cache shapes " + java.util.Arrays.toString(s) + " / "
                    + java.util.Arrays.toString(sin.shape()) + " do not fit head size " + headDim);
        }
        int positions = (int) s[0];
        int half = headDim / 2;
        float[] c = cos.toFloats();
        float[] sn = sin.toFloats();
        if (half < 2) {
            return 10000.0; // one frequency (theta^0 = 1) carries no information about theta
        }
        // Estimate from each pair i >= 1 at the farthest position where its angle has not wrapped yet.
        double sumLogTheta = 0;
        for (int i = 1; i < half; i++) {
            double a1 = Math.atan2(sn[half + i], c[half + i]);
            int p = (int) Math.max(1, Math.min(positions - 1, Math.floor(2.5 / Math.max(a1, 1e-12))));
            double invFreq = Math.atan2(sn[p * half + i], c[p * half + i]) / p;
            if (!(invFreq > 0)) {
                throw new BadInputException(where + ": rotary tables are not a plain rotary embedding (pair " + i + ")");
            }
            sumLogTheta += -Math.log(invFreq) * headDim / (2.0 * i);
        }
        double estimate = Math.exp(sumLogTheta / (half - 1));
        double round = roundToTwoSignificant(estimate);
        for (double candidate : new double[] {round, estimate}) {
            if (maxError(c, sn, positions, half, headDim, candidate) <= TOLERANCE) {
                return candidate;
            }
        }
        throw new BadInputException(where + ": rotary tables match no plain rope theta (best guess " + estimate
                + "); scaled rotary embeddings are not supported for --from onnx");
    }

    private static double roundToTwoSignificant(double v) {
        double scale = Math.pow(10, Math.floor(Math.log10(v)) - 1);
        return Math.round(v / scale) * scale;
    }

    private static double maxError(float[] c, float[] s, int positions, int half, int headDim, double theta) {
        double worst = 0;
        for (int i = 0; i < half; i++) {
            double inv = Math.pow(theta, -2.0 * i / headDim);
            for (int p = 0; p < positions; p++) {
                double angle = p * inv;
                worst = Math.max(worst, Math.abs(Math.cos(angle) - c[p * half + i]));
                worst = Math.max(worst, Math.abs(Math.sin(angle) - s[p * half + i]));
            }
        }
        return worst;
    }
}
