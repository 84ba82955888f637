package rlif.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VectorMathTest {
    private static final int LANES = VectorMath.F.length();

    @Test
    void exp2IsWithinItsRelativeBoundOverTheWholeClampedRange() {
        // Every 2^-12 step of [-125, 0] plus the end points (512k arguments) against Math.pow in double. The bound
        // 3e-6 is the polynomial's 2.9e-6 (a float minimax fit, see VectorMath) with the rounding of its last FMA;
        // docs/signals.md turns it into the per-signal tolerances.
        double worst = 0;
        float[] y = new float[LANES];
        float[] e = new float[LANES];
        int n = 125 * 4096;
        for (int i = 0; i <= n; i += LANES) {
            for (int l = 0; l < LANES; l++) {
                y[l] = Math.max(VectorMath.EXP2_LOW, -(float) (i + l) / 4096f);
            }
            VectorMath.exp2(FloatVector.fromArray(VectorMath.F, y, 0)).intoArray(e, 0);
            for (int l = 0; l < LANES; l++) {
                double exact = Math.pow(2, y[l]);
                worst = Math.max(worst, Math.abs(e[l] - exact) / exact);
            }
        }
        assertThat(worst).isLessThan(3e-6);
    }

    @Test
    void exp2OfZeroIsExactlyOne() {
        float[] e = new float[LANES];
        float[] minusZero = new float[LANES];
        java.util.Arrays.fill(minusZero, -0f);
        VectorMath.exp2(FloatVector.zero(VectorMath.F)).intoArray(e, 0);
        assertThat(e).containsOnly(1f);
        VectorMath.exp2(FloatVector.fromArray(VectorMath.F, minusZero, 0)).intoArray(e, 0);
        assertThat(e).containsOnly(1f);
    }

    @Test
    void clampSendsEverythingBelowTheRangeToItsLowEndAndKeepsTheRest() {
        float[] special = {Float.NEGATIVE_INFINITY, Float.NaN, -Float.MAX_VALUE, -1000f, -125.00001f};
        float[] kept = {-0f, -Float.MIN_VALUE, -1e-30f, -3f, -124.99999f, -125f};
        float[] x = new float[LANES];
        float[] y = new float[LANES];
        for (int l = 0; l < LANES; l++) {
            x[l] = l < special.length ? special[l] : kept[(l - special.length) % kept.length];
        }
        VectorMath.clampLow(FloatVector.fromArray(VectorMath.F, x, 0)).intoArray(y, 0);
        for (int l = 0; l < LANES; l++) {
            if (l < special.length) {
                assertThat(y[l]).as("lane %d (%s)", l, x[l]).isEqualTo(VectorMath.EXP2_LOW);
            } else {
                assertThat(Float.floatToRawIntBits(y[l])).as("lane %d (%s)", l, x[l])
                        .isEqualTo(Float.floatToRawIntBits(x[l]));
            }
        }
    }

    @Test
    void halfToFloatMatchesTheJdkForEveryBitPattern() {
        short[] half = new short[65536];
        for (int i = 0; i < half.length; i++) {
            half[i] = (short) i;
        }
        float[] widened = new float[half.length];
        for (int i = 0; i < half.length; i += LANES) {
            VectorMath.halfToFloat(half, i, widened, i);
        }
        for (int i = 0; i < half.length; i++) {
            float expected = Float.float16ToFloat(half[i]);
            if (Float.isNaN(expected)) {
                assertThat(widened[i]).as("bits %04x", i).isNaN();
            } else {
                assertThat(Float.floatToRawIntBits(widened[i])).as("bits %04x", i)
                        .isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }
}
