package rlif.models.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.fuzz.FuzzHarness;
import rlif.models.tensor.Tensor;

/**
 * Safetensors files from strangers: any bytes either open (and every loadable tensor maps inside the file)
 * or fail with a {@code BadInputException}. Seeds: SafetensorsFuzzTestInputs/header/.
 */
class SafetensorsFuzzTest {
    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "5m")
    void header(byte[] input) throws IOException {
        check(input);
    }

    @Test
    void mutatedSeedsOpenOrFailWithBadInput() throws IOException {
        assertThat(FuzzHarness.mutateSeeds(getClass(), "header", 300, 11, this::check)).isGreaterThan(300);
    }

    private void check(byte[] input) throws IOException {
        Path f = dir.resolve("model.safetensors");
        Files.write(f, input);
        FuzzHarness.expectOnlyBadInput(input.length, () -> {
            try (SafetensorsFile s = SafetensorsFile.open(f)) {
                for (SafetensorsTensorInfo info : s.tensors().values()) {
                    if (info.dtype().loadable().isPresent()) {
                        Tensor t = s.tensor(info.name());
                        assertThat((long) t.data().remaining()).isEqualTo(info.byteSize()).isLessThanOrEqualTo(input.length);
                    }
                }
            }
        });
    }
}
