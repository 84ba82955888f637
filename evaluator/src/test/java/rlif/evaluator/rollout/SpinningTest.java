package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import rlif.models.BadInputException;

/** ONNX Runtime's threads spin unless told not to, or unless {@code auto} finds other processes keeping the cores busy. */
class SpinningTest {
    @Test
    void autoStopsSpinningOnceHalfTheProcessorsAreBusy() {
        assertThat(Spinning.AUTO.spins(0.3, 2)).isTrue();
        assertThat(Spinning.AUTO.spins(0.99, 2)).isTrue();
        assertThat(Spinning.AUTO.spins(1.0, 2)).isFalse(); // one CPU-bound process beside us on 2 cores
        assertThat(Spinning.AUTO.spins(3.9, 8)).isTrue();
        assertThat(Spinning.AUTO.spins(12, 8)).isFalse();
        assertThat(Spinning.AUTO.spins(-1, 2)).as("no CPU load from the platform: ORT's default").isTrue();
    }

    @Test
    void othersBusyIsAShareOfTheProcessorsOrUnknown() {
        double busy = Spinning.othersBusy();
        int processors = Runtime.getRuntime().availableProcessors();
        assertThat(busy == -1 || (busy >= 0 && busy <= processors)).as("others busy %s of %s", busy, processors)
                .isTrue();
        assertThat(Spinning.othersBusy()).as("a second session opening at once reuses the sample").isEqualTo(busy);
    }

    @Test
    void onAndOffIgnoreTheLoad() {
        assertThat(Spinning.ON.spins(50, 2)).isTrue();
        assertThat(Spinning.OFF.spins(0, 2)).isFalse();
    }

    @Test
    void theDefaultIsAutoAndBadNamesAreRefused() {
        assertThat(EngineOptions.defaults().spinning()).isEqualTo(Spinning.AUTO);
        assertThat(Spinning.parse("Off")).isEqualTo(Spinning.OFF);
        assertThatThrownBy(() -> Spinning.parse("sometimes")).isInstanceOf(BadInputException.class)
                .hasMessage("--spinning sometimes is not one of auto, on, off");
    }
}
