package rlif.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

// The second test collects garbage, after which the JVM may give heap back to the system in the background: it runs
// last so that this cannot shrink the resident size under the first test's measurement.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResidentMemoryTest {
    @Test
    @Order(1)
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

    @Test
    @Order(2)
    void aTracedPhaseBoundaryDoesNotLowerTheProcessPeak() {
        assumeTrue(Files.exists(Path.of("/proc/self/status")), "Linux only");
        ResidentMemory.resetPeak();
        long before = ResidentMemory.bytes();
        // 64 MiB outside the heap (above glibc's largest mmap threshold, so freeing it unmaps it), touched, then freed
        ByteBuffer block = ByteBuffer.allocateDirect(64 << 20);
        for (int i = 0; i < block.capacity(); i += 4096) {
            block.put(i, (byte) 1);
        }
        long peak = ResidentMemory.peakBytes();
        block = null;
        // collections until the buffer's cleaner has run (it unmaps the block); bounded by count, not by a clock
        for (int i = 0; i < 200 && ResidentMemory.bytes() > before + (32L << 20); i++) {
            System.gc();
            Thread.yield();
        }
        assumeTrue(ResidentMemory.bytes() < peak - (32L << 20), "the JVM did not free the direct buffer");
        // a trace line resets the kernel's counter to the (now lower) resident size; the process's peak must stay
        ResidentMemory.endPhase("test", new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        assertThat(ResidentMemory.peakBytes()).isGreaterThanOrEqualTo(peak);
        ResidentMemory.resetPeak();
        assertThat(ResidentMemory.peakBytes()).isLessThan(peak - (16L << 20));
    }
}
