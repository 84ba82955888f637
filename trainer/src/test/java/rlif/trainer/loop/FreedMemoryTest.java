package rlif.trainer.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FreedMemoryTest {
    @Test
    void theJvmCanTrimTheCHeapOnLinux() {
        assumeTrue(Files.exists(Path.of("/proc/self/status")), "Linux only");
        // the diagnostic command exists on the JDKs rlif runs on (17.0.2+, 21, 25): if it vanished, the trims
        // between a step's phases would silently stop and training would need more memory
        assertThat(FreedMemory.trimNativeHeap()).isTrue();
    }
}
