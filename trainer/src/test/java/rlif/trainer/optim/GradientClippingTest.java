package rlif.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradientClippingTest {
    @Test
    void scalesAllGradientsTogetherToTheBoundAndReportsTheNormBefore() {
        Map<String, double[]> g = new LinkedHashMap<>();
        g.put("a", new double[] {3, 0});
        g.put("b", new double[] {0, 4});
        double norm = GradientClipping.clip(g, 1.0);
        assertThat(norm).isCloseTo(5.0, within(1e-12));
        assertThat(g.get("a")[0]).isCloseTo(0.6, within(1e-6));
        assertThat(g.get("b")[1]).isCloseTo(0.8, within(1e-6));
        assertThat(GradientClipping.globalNorm(g)).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void leavesGradientsBelowTheBoundOrWithClippingOffUntouched() {
        Map<String, double[]> g = Map.of("a", new double[] {0.3, 0.4});
        assertThat(GradientClipping.clip(g, 1.0)).isCloseTo(0.5, within(1e-12));
        assertThat(g.get("a")).containsExactly(0.3, 0.4);
        Map<String, double[]> big = Map.of("a", new double[] {30, 40});
        GradientClipping.clip(big, 0);
        assertThat(big.get("a")).containsExactly(30.0, 40.0);
    }
}
