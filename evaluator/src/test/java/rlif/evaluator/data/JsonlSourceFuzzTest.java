package rlif.evaluator.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.fuzz.FuzzHarness;

/**
 * JSONL data sets from strangers: every row reads into a problem (with its reference extracted) or the file
 * fails with a {@code BadInputException} naming the line. Seeds: JsonlSourceFuzzTestInputs/rows/.
 */
class JsonlSourceFuzzTest {
    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "5m")
    void rows(byte[] input) throws IOException {
        check(input);
    }

    @Test
    void mutatedSeedsReadOrFailWithBadInput() throws IOException {
        assertThat(FuzzHarness.mutateSeeds(getClass(), "rows", 400, 29, this::check)).isGreaterThan(400);
    }

    private void check(byte[] input) throws IOException {
        Path f = dir.resolve("data.jsonl");
        Files.write(f, input);
        FuzzHarness.expectOnlyBadInput(input.length, () -> {
            try (ProblemSource.Problems rows = new JsonlSource(f).open()) {
                while (rows.hasNext()) {
                    Problem p = rows.next();
                    assertThat(p.promptText() != null || p.promptIds() != null).isTrue();
                }
            }
        });
    }
}
