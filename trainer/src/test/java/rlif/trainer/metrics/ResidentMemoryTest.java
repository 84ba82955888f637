package rlif.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ResidentMemoryTest {
    @Test
    void peakFollowsTouchedNativeMemoryAndResets() {
        assumeTrue(Files.exists(Path.of("/proc/self/status")), "Linux only");
        assertThat(ResidentMemory.resetPeak()).isTrue();
        long before = ResidentMemory.bytes();
        assertThat(before).isPositive();
        // 64 MiB outside the Java heap, every page touched: the resident size and its peak must both see it
        ByteBuffer block = ByteBuffer.allocateDirect(64 << 20);
        for (int i = 0; i < block.capacity(); i += 4096) {
            block.put(i, (byte) 1);
        }
        assertThat(ResidentMemory.bytes()).isGreaterThan(before + (48L << 20));
        assertThat(ResidentMemory.peakBytes()).isGreaterThanOrEqualTo(ResidentMemory.bytes() - (1L << 20));
        assertThat(block.get(4096)).isEqualTo((byte) 1);
    }
}
