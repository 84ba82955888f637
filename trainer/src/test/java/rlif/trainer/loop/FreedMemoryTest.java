package rlif.trainer.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import rlif.models.BadInputException;
import rlif.trainer.metrics.ResidentMemory;

class FreedMemoryTest {
    @Test
    void theJvmCanTrimTheCHeapOnLinux() {
        assumeTrue(Files.exists(Path.of("/proc/self/status")), "Linux only");
        // the diagnostic command exists on the JDKs rlif runs on (17.0.2+, 21, 25): if it vanished, the trims
        // between a step's phases would silently stop and training would need more memory
        assertThat(FreedMemory.trimNativeHeap()).isTrue();
    }

    @Test
    void aProcessBelowTheFloorKeepsItsMemoryAndOneAboveItCollects() {
        long resident = ResidentMemory.bytes();
        assumeTrue(resident > 0, "Linux only");
        assertThat(FreedMemory.release(resident + (1L << 40))).isFalse();

        long before = collections();
        assertThat(FreedMemory.release(0)).isTrue();
        assertThat(collections()).isGreaterThan(before); // System.gc() ran
    }

    @Test
    void theRuleReleasesAboveTheFloorOnlyAndAlwaysWhenTheResidentSizeIsUnknown() {
        long gib = 1L << 30;
        assertThat(FreedMemory.worthReleasing(gib + 1, gib)).isTrue();
        assertThat(FreedMemory.worthReleasing(gib, gib)).isFalse();
        assertThat(FreedMemory.worthReleasing(-1, gib)).isTrue(); // not Linux: release as before the floor
        assertThat(FreedMemory.worthReleasing(-1, -1)).isFalse(); // -Drlif.releaseMemory=false
        assertThat(FreedMemory.worthReleasing(100 * gib, -1)).isFalse();
    }

    @Test
    void theFloorIsOneGibUnlessTheSystemPropertiesSayOtherwise() {
        assertThat(FreedMemory.floor(null, null)).isEqualTo(1024L << 20);
        assertThat(FreedMemory.floor(null, "0")).isZero();
        assertThat(FreedMemory.floor("true", " 300 ")).isEqualTo(300L << 20);
        assertThat(FreedMemory.floor("false", "300")).isEqualTo(-1);
        assertThatThrownBy(() -> FreedMemory.floor(null, "1g")).isInstanceOf(BadInputException.class)
                .hasMessage("-Drlif.releaseMemoryAboveMb: expected a whole number of MiB >= 0, got '1g'");
        assertThatThrownBy(() -> FreedMemory.floor(null, "-5")).isInstanceOf(BadInputException.class);
    }

    private static long collections() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }
}
