package rlif.trainer.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;
import rlif.evaluator.rollout.TrajectorySignals;

class RewardFunctionTest {
    private final TrajectorySignals signals = new TrajectorySignals(1.5, 2.25, 0.75, -3.0);

    @Test
    void entropiesAreNegatedSoLowerEntropyEarnsMore() {
        assertThat(RewardKind.TOKEN_ENTROPY.of(signals, null)).isEqualTo(-1.5);
        assertThat(RewardKind.TRAJECTORY_ENTROPY.of(signals, null)).isEqualTo(-0.75);
        assertThat(RewardKind.SELF_CERTAINTY.of(signals, null)).isEqualTo(2.25);
    }

    @Test
    void verifiableIsOneOnlyForCorrectAnswers() {
        assertThat(RewardKind.VERIFIABLE.of(signals, true)).isEqualTo(1);
        assertThat(RewardKind.VERIFIABLE.of(signals, false)).isEqualTo(0);
        assertThat(RewardKind.VERIFIABLE.of(signals, null)).isEqualTo(0);
    }

    @Test
    void weightedSumsAddTheirParts() {
        RewardFunction f = new RewardFunction(Map.of(RewardKind.VERIFIABLE, 1.0, RewardKind.SELF_CERTAINTY, 0.5));
        assertThat(f.of(signals, true)).isCloseTo(1 + 0.5 * 2.25, within(1e-15));
    }

    @Test
    void emptyCompletionsGetZeroInsteadOfNaN() {
        TrajectorySignals empty = new TrajectorySignals(Double.NaN, Double.NaN, Double.NaN, 0);
        assertThat(RewardFunction.of(RewardKind.SELF_CERTAINTY).of(empty, null)).isZero();
    }

    @Test
    void componentsAreUnweightedInAFixedOrderAndNegativeWeightsFlipTheSign() {
        RewardFunction f = new RewardFunction(Map.of(RewardKind.VERIFIABLE, 2.0, RewardKind.SELF_CERTAINTY, -1.0));
        assertThat(f.kinds()).containsExactly(RewardKind.SELF_CERTAINTY, RewardKind.VERIFIABLE);
        assertThat(f.components(signals, true)).containsExactly(2.25, 1.0);
        assertThat(f.of(signals, true)).isCloseTo(-2.25 + 2.0, within(1e-15));
        assertThat(f.of(signals, false)).isCloseTo(-2.25, within(1e-15));
    }
}
