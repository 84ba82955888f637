package rlif.trainer.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AdvantagesTest {
    @Test
    void groupScalingCentresAndDividesEachGroupByItsSampleStd() {
        double[] a = Advantages.of(new double[] {1, 0, 0, 1, 2, 2, 2, 2}, 4, ScaleRewards.GROUP);
        // group 1: mean 0.5, sample std sqrt(1/3)
        double std = Math.sqrt(1.0 / 3);
        assertThat(a[0]).isCloseTo(0.5 / (std + 1e-4), within(1e-12));
        assertThat(a[1]).isCloseTo(-0.5 / (std + 1e-4), within(1e-12));
        // group 2 is flat: zero advantage, not NaN
        assertThat(a[4]).isZero();
        assertThat(a[7]).isZero();
    }

    @Test
    void batchScalingCentresByTheGroupButDividesByTheWholeStepsStd() {
        double[] r = {1, 0, 0, 1, 2, 2, 2, 2};
        double[] a = Advantages.of(r, 4, ScaleRewards.BATCH);
        // all eight: mean 1.25, squared deviations 0.0625 + 1.5625 * 2 + 0.0625 + 0.5625 * 4 = 5.5, sample var 5.5 / 7
        double std = Math.sqrt(5.5 / 7);
        assertThat(a[0]).isCloseTo(0.5 / (std + 1e-4), within(1e-12));
        assertThat(a[4]).isZero();
    }

    @Test
    void withoutScalingOnlyCentres() {
        assertThat(Advantages.of(new double[] {3, 1}, 2, ScaleRewards.NONE)).containsExactly(1.0, -1.0);
    }

    @Test
    void zeroStdShareCountsCompletionsInFlatGroupsOrAFlatStep() {
        double[] r = {1, 1, 0, 1, 0, 0};
        assertThat(Advantages.zeroStdShare(r, 2, ScaleRewards.GROUP)).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(Advantages.zeroStdShare(r, 2, ScaleRewards.NONE)).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(Advantages.zeroStdShare(r, 2, ScaleRewards.BATCH)).isZero();
        assertThat(Advantages.zeroStdShare(new double[] {4, 4, 4, 4}, 2, ScaleRewards.BATCH)).isEqualTo(1.0);
    }

    @Test
    void shufflingWithinGroupsKeepsEachGroupsRewardsAndIsSeeded() {
        double[] r = {1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60};
        double[] s = Advantages.shuffledWithinGroups(r, 6, 42);
        assertThat(s).isEqualTo(Advantages.shuffledWithinGroups(r, 6, 42));
        assertThat(s).isNotEqualTo(r);
        for (int g = 0; g < 2; g++) {
            double[] mine = Arrays.copyOfRange(s, 6 * g, 6 * g + 6);
            Arrays.sort(mine);
            assertThat(mine).isEqualTo(Arrays.copyOfRange(r, 6 * g, 6 * g + 6));
        }
    }
}
