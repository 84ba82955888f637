package rlif.models.dir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;

/**
 * Seeded corruption of real decoders (truncations, flipped bytes, overwritten runs): opening the
 * directory either works or fails with a {@link BadInputException}, never with any other exception.
 */
class CorruptedOnnxTest {
    private static final int CASES = 150;

    @Test
    void corruptedLlamaDecodersAreOpenedOrRefusedAsBadInput(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("llama"));
        Path src = SharedFixtures.llama();
        Files.copy(src.resolve("genai_config.json"), dir.resolve("genai_config.json"));
        Files.copy(src.resolve("model.onnx.data"), dir.resolve("model.onnx.data"));
        byte[] original = Files.readAllBytes(src.resolve("model.onnx"));
        int refused = exercise(dir, dir.resolve("model.onnx"), original, new SplittableRandom(1));
        // Most corruptions must be caught; a flip inside a name or a doc string may legitimately pass.
        assertThat(refused).isGreaterThan(CASES / 3);
    }

    private static int exercise(Path dir, Path target, byte[] original, SplittableRandom random) throws IOException {
        int refused = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] bytes = corrupt(original, random);
            Files.write(target, bytes);
            try {
                ModelDirectory.open(dir);
            } catch (BadInputException e) {
                assertThat(e.getMessage()).isNotBlank();
                refused++;
            } catch (RuntimeException | Error e) {
                fail("case " + i + ": corrupted decoder raised " + e + " instead of a bad-input error", e);
            }
        }
        return refused;
    }

    private static byte[] corrupt(byte[] original, SplittableRandom random) {
        byte[] b = original.clone();
        switch (random.nextInt(3)) {
            case 0 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length));
            case 1 -> {
                for (int k = 0, n = 1 + random.nextInt(8); k < n; k++) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            default -> {
                int at = random.nextInt(b.length);
                for (int k = at; k < Math.min(b.length, at + 1 + random.nextInt(32)); k++) {
                    b[k] = (byte) random.nextInt(256);
                }
            }
        }
        return b;
    }
}
