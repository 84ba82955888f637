package rlif.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** When the vector kernel hands work to helper threads, and that warming it up changes nothing it computes. */
class VectorSignalKernelForkTest {
    @Test
    void smallCallsStayOnTheCallersThread() {
        VectorSignalKernel kernel = new VectorSignalKernel(2);
        assertThat(kernel.forks(1, 32000)).isFalse();
        assertThat(kernel.forks(16, 32000)).isFalse();
        assertThat(kernel.forks(64, 151936)).isEqualTo(KernelPool.helpers() > 0);
    }

    @Test
    void oneThreadNeverForksAndZeroThresholdAlwaysDoes() {
        assertThat(new VectorSignalKernel(1, 0).forks(64, 151936)).isFalse();
        assertThat(new VectorSignalKernel(2, 0).forks(1, 16)).isEqualTo(KernelPool.helpers() > 0);
    }

    @Test
    void negativeThresholdIsRefused() {
        assertThatThrownBy(() -> new VectorSignalKernel(2, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHelperFailureReachesTheCaller() {
        assertThatThrownBy(() -> KernelPool.run(2, () -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    }

    @Test
    void warmUpLeavesResultsUnchanged() {
        int vocab = 5000;
        float[] x = new float[2 * vocab];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 4);
        }
        VectorSignalKernel kernel = new VectorSignalKernel(1);
        SignalBatch before = new SignalBatch(2);
        kernel.compute(LogitRows.of(x, 2, vocab), 0.7, null, before);
        kernel.warmUp(vocab, true, 50);
        kernel.warmUp(vocab, false, 50);
        SignalBatch after = new SignalBatch(2);
        kernel.compute(LogitRows.of(x, 2, vocab), 0.7, null, after);
        for (int row = 0; row < 2; row++) {
            assertThat(after.logsumexp[row]).isEqualTo(before.logsumexp[row]);
            assertThat(after.entropy[row]).isEqualTo(before.entropy[row]);
            assertThat(after.argmax[row]).isEqualTo(before.argmax[row]);
        }
    }
}
