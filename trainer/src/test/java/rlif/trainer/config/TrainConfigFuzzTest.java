package rlif.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.fuzz.FuzzHarness;

/**
 * YAML train configs from strangers (anchors, aliases, tags, deep nesting, wrong types): a config or a
 * {@code BadInputException} naming the key, nothing else. Seeds: TrainConfigFuzzTestInputs/yaml/.
 */
class TrainConfigFuzzTest {
    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "5m")
    void yaml(byte[] input) throws IOException {
        check(input);
    }

    @Test
    void mutatedSeedsReadOrFailWithBadInput() throws IOException {
        assertThat(FuzzHarness.mutateSeeds(getClass(), "yaml", 400, 37, this::check)).isGreaterThan(400);
    }

    private void check(byte[] input) throws IOException {
        Path f = dir.resolve("train.yaml");
        Files.write(f, input);
        FuzzHarness.expectOnlyBadInput(input.length, () -> assertThat(TrainConfig.read(f).steps()).isPositive());
    }
}
