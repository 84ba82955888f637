package rlif.models.dir;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared ORT-GenAI fixtures; a missing ../shared fails the test instead of skipping it. */
public final class SharedFixtures {
    private SharedFixtures() {}

    public static Path shared() {
        String dir = System.getProperty("rlif.shared.dir");
        if (dir == null || !Files.isDirectory(Path.of(dir))) {
            fail("../shared is missing (system property rlif.shared.dir = " + dir
                    + "); these tests need the shared fixtures next to the repository");
        }
        return Path.of(dir);
    }

    public static Path gpt2() {
        return shared().resolve("fixtures/ort-genai/tiny-random-gpt2-fp32");
    }

    public static Path llama() {
        return shared().resolve("fixtures/ort-genai/tiny-random-llama-fp16");
    }
}
