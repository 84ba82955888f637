package rlif.evaluator.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.fuzz.FuzzHarness;

/**
 * {@code tokenizer_config.json} files from strangers, read for their chat template and rendered: a prompt comes
 * out or a {@code BadInputException} does, and a template cannot make the render allocate without bound (the
 * seeds nested-loops-billion and string-multiply were OutOfMemoryErrors before the caps).
 * Seeds: ChatTemplateFuzzTestInputs/tokenizerConfig/.
 */
class ChatTemplateFuzzTest {
    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "5m")
    void tokenizerConfig(byte[] input) throws IOException {
        check(input);
    }

    @Test
    void mutatedSeedsRenderOrFailWithBadInput() throws IOException {
        assertThat(FuzzHarness.mutateSeeds(getClass(), "tokenizerConfig", 200, 31, this::check)).isGreaterThan(200);
    }

    private void check(byte[] input) throws IOException {
        Files.write(dir.resolve("tokenizer_config.json"), input);
        // a template is a program: what it may build is bounded by ChatTemplate.MAX_CHARS, not by its own length
        FuzzHarness.expectOnlyBadInput(input.length + ChatTemplate.MAX_CHARS, () -> {
            String prompt = ChatTemplate.load(dir).render("What is 2 + 3?");
            assertThat(prompt).isNotNull();
        });
    }
}
