package rlif.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    @Test
    void warmsUpLinearlyThenFollowsHalfACosineDownToTheFloor() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3, 4, 14, LearningRateSchedule.Decay.COSINE, 0.1);
        assertThat(s.at(1)).isCloseTo(2.5e-4, within(1e-15));
        assertThat(s.at(4)).isCloseTo(1e-3, within(1e-15));
        // halfway through the decay: floor + (peak - floor) * (1 + cos(pi/2)) / 2
        assertThat(s.at(9)).isCloseTo(1e-4 + 9e-4 * 0.5, within(1e-15));
        assertThat(s.at(14)).isCloseTo(1e-4, within(1e-15));
        assertThat(s.at(20)).isCloseTo(1e-4, within(1e-15));
    }

    @Test
    void constantScheduleHoldsThePeakAfterWarmUp() {
        LearningRateSchedule s = new LearningRateSchedule(0.5, 0, 10, LearningRateSchedule.Decay.CONSTANT, 0);
        assertThat(s.at(1)).isEqualTo(0.5);
        assertThat(s.at(10)).isEqualTo(0.5);
    }

    @Test
    void linearDecayFallsInAStraightLineToZeroAtTheLastStep() {
        LearningRateSchedule s = new LearningRateSchedule(2.0, 2, 12, LearningRateSchedule.Decay.LINEAR, 0);
        assertThat(s.at(2)).isEqualTo(2.0);
        assertThat(s.at(7)).isCloseTo(1.0, within(1e-15));
        assertThat(s.at(12)).isCloseTo(0.0, within(1e-15));
    }
}
