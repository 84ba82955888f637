package rlif.trainer.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AdvantagesTest {
    @Test
    void centresAndScalesEachGroupBySampleStd() {
        double[] a = Advantages.groupNormalised(new double[] {1, 0, 0, 1, 2, 2, 2, 2}, 4, true);
        // group 1: mean 0.5, sample std sqrt(1/3)
        double std = Math.sqrt(1.0 / 3);
        assertThat(a[0]).isCloseTo(0.5 / (std + 1e-4), within(1e-12));
        assertThat(a[1]).isCloseTo(-0.5 / (std + 1e-4), within(1e-12));
        // group 2 is flat: zero advantage, not NaN
        assertThat(a[4]).isZero();
        assertThat(a[7]).isZero();
    }

    @Test
    void withoutStdDivisionOnlyCentres() {
        double[] a = Advantages.groupNormalised(new double[] {3, 1}, 2, false);
        assertThat(a).containsExactly(1.0, -1.0);
    }

    @Test
    void flatGroupShareCountsGroupsWithAllEqualRewards() {
        assertThat(Advantages.flatGroupShare(new double[] {1, 1, 0, 1, 0, 0}, 2)).isCloseTo(2.0 / 3, within(1e-12));
    }
}
