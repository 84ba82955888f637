package rlif.models.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Round-to-nearest blocks: every element within half a step of the original, zero exact, packing as documented. */
class RtnQuantizerTest {
    @ParameterizedTest
    @ValueSource(ints = {4, 8})
    void everyElementIsWithinHalfAStepAndZeroStaysZero(int bits) {
        int rows = 5;
        int cols = 96;
        float[] w = new float[rows * cols];
        Random rnd = new Random(bits);
        for (int i = 0; i < w.length; i++) {
            w[i] = i % 7 == 0 ? 0 : (float) (rnd.nextGaussian() * (1 + i % 3) + (i % 64 < 32 ? 0.5 : -2));
        }
        BlockQuantized q = RtnQuantizer.quantize(w, rows, cols, bits, 32);
        float[] back = q.dequantize();
        double worst = 0;
        for (int i = 0; i < w.length; i++) {
            float scale = q.scales()[(i / cols) * q.blocks() + (i % cols) / 32];
            // half a step, plus float32 rounding of (code - zp) * scale
            assertThat((double) Math.abs(back[i] - w[i])).as("element %d", i)
                    .isLessThanOrEqualTo(scale / 2 * (1 + 1e-6) + 1e-7);
            if (w[i] == 0) {
                assertThat(Math.abs(back[i])).isEqualTo(0f);
            }
            worst = Math.max(worst, Math.abs(back[i] - w[i]) / scale);
        }
        assertThat(worst).as("the bound is not vacuous").isGreaterThan(0.3);
    }

    @Test
    void codesAndZeroPointsPackLowNibbleFirst() {
        float[] w = new float[64];
        for (int i = 0; i < 64; i++) {
            w[i] = i < 32 ? i : -i; // block 0: min 0, zero point 0; block 1: max 0, zero point 15
        }
        BlockQuantized q = RtnQuantizer.quantize(w, 1, 64, 4, 32);
        assertThat(q.zeroPoint(0, 0)).isZero();
        assertThat(q.zeroPoint(0, 1)).isEqualTo(15);
        assertThat(q.zeroPoints()[0] & 0xff).isEqualTo(15 << 4);
        assertThat(q.code(0, 0)).isZero();
        assertThat(q.code(0, 31)).isEqualTo(15);
        int b0 = q.codes().get(0) & 0xff;
        assertThat(b0 & 0xf).isEqualTo(q.code(0, 0));
        assertThat(b0 >> 4).isEqualTo(q.code(0, 1));
    }

    @Test
    void shapesThatAreNotWholeBlocksAreRefused() {
        assertThatThrownBy(() -> RtnQuantizer.quantize(new float[40], 1, 40, 4, 32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole number of blocks");
    }
}
