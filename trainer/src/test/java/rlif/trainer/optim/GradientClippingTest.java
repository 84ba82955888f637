package rlif.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradientClippingTest {
    @Test
    void scalesAllGradientsTogetherToTheBoundAndReportsTheNormBefore() {
        Map<String, float[]> g = new LinkedHashMap<>();
        g.put("a", new float[] {3f, 0f});
        g.put("b", new float[] {0f, 4f});
        double norm = GradientClipping.clip(g, 1.0);
        assertThat(norm).isCloseTo(5.0, within(1e-12));
        assertThat((double) g.get("a")[0]).isCloseTo(0.6, within(1e-6));
        assertThat((double) g.get("b")[1]).isCloseTo(0.8, within(1e-6));
        assertThat(GradientClipping.globalNorm(g)).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void leavesGradientsBelowTheBoundOrWithClippingOffUntouched() {
        Map<String, float[]> g = Map.of("a", new float[] {0.3f, 0.4f});
        assertThat(GradientClipping.clip(g, 1.0)).isCloseTo(0.5, within(1e-7));
        assertThat(g.get("a")).containsExactly(0.3f, 0.4f);
        Map<String, float[]> big = Map.of("a", new float[] {30f, 40f});
        GradientClipping.clip(big, 0);
        assertThat(big.get("a")).containsExactly(30f, 40f);
    }
}
