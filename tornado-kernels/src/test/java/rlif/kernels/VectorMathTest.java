package rlif.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VectorMathTest {
    private static final int LANES = VectorMath.F.length();

    /** Distance in float steps between the vector result and the double-precision exp rounded to float. */
    private static long ulps(float actual, double exact) {
        return Math.abs((long) Float.floatToIntBits(actual) - Float.floatToIntBits((float) exact));
    }

    @Test
    void expIsWithinTwoUlpOverTheWholeClampedRange() {
        // Every 2^-12 step of [-87, 0] plus the end points: about 360k arguments, each checked in float ulps.
        long worst = 0;
        float[] x = new float[LANES];
        float[] y = new float[LANES];
        int n = 87 * 4096;
        for (int i = 0; i <= n; i += LANES) {
            for (int l = 0; l < LANES; l++) {
                x[l] = Math.max(VectorMath.EXP_LOW, -(float) (i + l) / 4096f);
            }
            VectorMath.exp(FloatVector.fromArray(VectorMath.F, x, 0)).intoArray(y, 0);
            for (int l = 0; l < LANES; l++) {
                worst = Math.max(worst, ulps(y[l], Math.exp(x[l])));
            }
        }
        assertThat(worst).isLessThanOrEqualTo(2);
    }

    @Test
    void expOfZeroIsExactlyOne() {
        float[] y = new float[LANES];
        VectorMath.exp(FloatVector.zero(VectorMath.F)).intoArray(y, 0);
        assertThat(y).containsOnly(1f);
    }

    @Test
    void clampSendsMinusInfinityToTheLowEnd() {
        float[] x = new float[LANES];
        java.util.Arrays.fill(x, Float.NEGATIVE_INFINITY);
        x[0] = -3f;
        float[] y = new float[LANES];
        VectorMath.clampLow(FloatVector.fromArray(VectorMath.F, x, 0)).intoArray(y, 0);
        assertThat(y[0]).isEqualTo(-3f);
        for (int l = 1; l < LANES; l++) {
            assertThat(y[l]).isEqualTo(VectorMath.EXP_LOW);
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
