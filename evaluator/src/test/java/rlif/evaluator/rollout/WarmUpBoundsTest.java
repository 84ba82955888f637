package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The decode warm-up runs long only where the Java side is a large share of a step (short steps), and waits for
 * an idle JIT only once the JIT has been idle for the whole window.
 */
class WarmUpBoundsTest {
    @Test
    void shortStepsGetTheLongBoundAndLongStepsOrNoStepsTheShortOne() {
        long shortStep = OnnxRolloutEngine.SHORT_STEP_NANOS / 10;
        long longStep = OnnxRolloutEngine.SHORT_STEP_NANOS * 20;
        assertThat(OnnxRolloutEngine.warmUpMillis(1000, 1000 * shortStep))
                .isEqualTo(OnnxRolloutEngine.SHORT_STEP_WARM_UP_MILLIS);
        assertThat(OnnxRolloutEngine.warmUpMillis(10, 10 * longStep)).isEqualTo(OnnxRolloutEngine.DECODE_WARM_UP_MILLIS);
        assertThat(OnnxRolloutEngine.warmUpMillis(0, 0)).isEqualTo(OnnxRolloutEngine.DECODE_WARM_UP_MILLIS);
        assertThat(OnnxRolloutEngine.SHORT_STEP_WARM_UP_MILLIS).isGreaterThan(OnnxRolloutEngine.DECODE_WARM_UP_MILLIS);
    }

    @Test
    void aJitWatchedForLessThanTheWindowIsNotYetIdle() {
        assumeTrue(ManagementFactory.getCompilationMXBean().isCompilationTimeMonitoringSupported(),
                "this JVM does not report compilation time, so JitActivity always counts it as idle");
        JitActivity jit = new JitActivity();
        assertThat(jit.idleFor(0)).isTrue();
        // Nothing can have been idle for an hour since the object was made a moment ago, compiling or not.
        assertThat(jit.idleFor(3_600_000)).isFalse();
    }
}
