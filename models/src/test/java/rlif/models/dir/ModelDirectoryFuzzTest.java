package rlif.models.dir;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.fuzz.FuzzHarness;
import rlif.models.io.AtomicFiles;

/**
 * Whole model directories from strangers: {@code config.json} (or {@code genai_config.json}), the decoder's
 * {@code model.onnx} and its {@code model.onnx.data}, all fuzzed together, opened by {@link ModelDirectory}
 * (configs, I/O names, external data sizes). Success or {@code BadInputException} only, and every data file it
 * accepts lies inside the directory.
 *
 * <p>Input framing (so one byte string drives three files): u8 layout (even: Optimum {@code config.json}, odd:
 * ORT-GenAI {@code genai_config.json}), u32 big-endian length + config text, u32 length + model.onnx, and the
 * rest is model.onnx.data; lengths past the end are clamped. Seeds: ModelDirectoryFuzzTestInputs/directory/.
 */
class ModelDirectoryFuzzTest {
    @TempDir
    static Path root;

    @FuzzTest(maxDuration = "5m")
    void directory(byte[] input) throws IOException {
        check(input);
    }

    @Test
    void mutatedSeedsOpenOrFailWithBadInput() throws IOException {
        assertThat(FuzzHarness.mutateSeeds(getClass(), "directory", 150, 19, this::check)).isGreaterThan(150);
    }

    /** Splits a framed input into its layout byte and three files. */
    static byte[][] unframe(byte[] input) {
        ByteBuffer b = ByteBuffer.wrap(input);
        byte layout = b.hasRemaining() ? b.get() : 0;
        byte[] config = chunk(b);
        byte[] model = chunk(b);
        byte[] data = Arrays.copyOfRange(input, b.position(), input.length);
        return new byte[][] {{layout}, config, model, data};
    }

    private static byte[] chunk(ByteBuffer b) {
        int len = b.remaining() >= 4 ? b.getInt() : 0;
        len = (int) Math.min(Integer.toUnsignedLong(len), b.remaining());
        byte[] out = new byte[len];
        b.get(out);
        return out;
    }

    private void check(byte[] input) throws IOException {
        byte[][] parts = unframe(input);
        Path dir = root.resolve("m");
        AtomicFiles.deleteRecursively(dir);
        Files.createDirectories(dir);
        boolean genai = (parts[0][0] & 1) == 1;
        Files.write(dir.resolve(genai ? "genai_config.json" : "config.json"), parts[1]);
        Files.write(dir.resolve("model.onnx"), parts[2]);
        Files.write(dir.resolve("model.onnx.data"), parts[3]);
        Files.write(root.resolve("model.onnx.data"), parts[3]); // bait for '../model.onnx.data'
        Path inside = dir.toRealPath();
        FuzzHarness.expectOnlyBadInput(input.length, () -> {
            ModelDirectory m = ModelDirectory.open(dir);
            for (Path p : m.onnx().externalFiles().keySet()) {
                assertThat(p.toRealPath()).as("external data file").startsWith(inside);
            }
            assertThat(m.config().vocab()).isPositive();
        });
    }
}
