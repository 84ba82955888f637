package rlif.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import rlif.models.BadInputException;

/** A demo shrunk to fit a machine is labelled by the sizes it actually runs, never passed off as the full one. */
class DemoPlanSizesTest {
    @Test
    void theFullPlanIsConclusiveAndRunsEveryArmIncludingKl() {
        DemoPlan full = DemoPlan.full();
        assertThat(full.conclusive()).isTrue();
        assertThat(full.shortfall()).isEmpty();
        assertThat(full.arms()).containsExactlyElementsOf(Arm.all());
    }

    @Test
    void aShrunkPlanNamesEachSizeThatFallsShort() {
        DemoPlan small = DemoPlan.full().resized(30, 15, 1, 128, 2, List.of(Arm.SELF_CERTAINTY, Arm.KL), null);
        assertThat(small.steps()).isEqualTo(30);
        assertThat(small.evalSteps()).containsExactly(0L, 15L, 30L);
        assertThat(small.seeds()).containsExactly(1L);
        assertThat(small.arms()).containsExactly(Arm.SELF_CERTAINTY, Arm.KL);
        assertThat(small.learningRate()).isEqualTo(DemoPlan.full().learningRate());
        assertThat(small.conclusive()).isFalse();
        assertThat(small.shortfall()).isEqualTo("too small to conclude anything: 128 x 2 held-out (512 x 4 needed),"
                + " 1 seed per arm (3 needed), 30 steps per run (100 needed)");
    }

    @Test
    void onlyTheShortSizeIsNamed() {
        DemoPlan fewerSteps = DemoPlan.full().resized(50, null, null, null, null, null, null);
        assertThat(fewerSteps.shortfall()).isEqualTo("too small to conclude anything: 50 steps per run (100 needed)");
        assertThat(DemoPlan.quick().shortfall()).startsWith("--quick is a smoke test of the pieces, too small");
    }

    @Test
    void zeroSeedsIsRefused() {
        assertThatThrownBy(() -> DemoPlan.full().resized(null, null, 0, null, null, null, null))
                .isInstanceOf(BadInputException.class).hasMessageContaining("--seeds");
    }
}
