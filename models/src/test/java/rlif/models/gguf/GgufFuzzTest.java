package rlif.models.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.fuzz.FuzzHarness;

/**
 * GGUF files from strangers: header, metadata, tensor table and (small) tensors dequantised, then the
 * llama-family checkpoint view with its synthesised config and tokenizer; success or {@code BadInputException}
 * only. Seeds: GgufFuzzTestInputs/file/.
 */
class GgufFuzzTest {
    /** Dequantise tensors up to this many elements; larger ones are only mapped (their size is checked). */
    private static final long DEQUANTISE_LIMIT = 1 << 16;

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "5m")
    void file(byte[] input) throws IOException {
        check(input);
    }

    @Test
    void mutatedSeedsOpenOrFailWithBadInput() throws IOException {
        assertThat(FuzzHarness.mutateSeeds(getClass(), "file", 200, 13, this::check)).isGreaterThan(200);
    }

    private void check(byte[] input) throws IOException {
        Path f = dir.resolve("model.gguf");
        Files.write(f, input);
        FuzzHarness.expectOnlyBadInput(input.length, () -> {
            try (GgufFile g = GgufFile.open(f)) {
                for (GgufTensorInfo info : g.tensors().values()) {
                    assertThat(g.rawData(info).remaining()).isLessThanOrEqualTo(input.length);
                    if (info.type().dequantisable() && info.elementCount() <= DEQUANTISE_LIMIT) {
                        assertThat(g.dequantize(info)).hasSize((int) info.elementCount());
                    }
                }
            }
        });
        FuzzHarness.expectOnlyBadInput(input.length, () -> {
            try (GgufCheckpoint c = GgufCheckpoint.open(f)) {
                c.tokenizer().tokenizerJson();
                c.tokenizer().tokenizerConfig(2048);
                for (String name : c.names()) {
                    if (c.elementCount(name) <= DEQUANTISE_LIMIT) {
                        c.get(name);
                    }
                }
            }
        });
    }
}
