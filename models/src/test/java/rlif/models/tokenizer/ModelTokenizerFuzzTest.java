package rlif.models.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.fuzz.FuzzHarness;

/**
 * {@code tokenizer.json} files from strangers, through the native Hugging Face tokenizers binding: they load and
 * round-trip a prompt, or fail with {@code BadInputException}; the vocabulary size we report is never negative
 * and every id the tokenizer produces lies below it. Seeds: ModelTokenizerFuzzTestInputs/tokenizerJson/.
 */
class ModelTokenizerFuzzTest {
    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "5m")
    void tokenizerJson(byte[] input) throws IOException {
        check(input);
    }

    @Test
    void mutatedSeedsLoadOrFailWithBadInput() throws IOException {
        assertThat(FuzzHarness.mutateSeeds(getClass(), "tokenizerJson", 100, 23, this::check)).isGreaterThan(100);
    }

    private void check(byte[] input) throws IOException {
        Path f = dir.resolve("tokenizer.json");
        Files.write(f, input);
        FuzzHarness.expectOnlyBadInput(input.length, () -> {
            try (ModelTokenizer t = ModelTokenizer.open(f)) {
                assertThat(t.vocabSize()).isNotNegative();
                int[] ids = t.encode("1 + 2 = 3", false);
                for (int id : ids) {
                    assertThat(id).isNotNegative();
                }
                t.decode(ids, true);
            }
        });
    }
}
