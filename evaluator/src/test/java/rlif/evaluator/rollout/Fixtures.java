package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import rlif.models.dir.ModelDirectory;

/** The shared ORT-GenAI fixtures; a missing ../shared fails the test instead of skipping it. */
final class Fixtures {
    private Fixtures() {}

    static Path shared() {
        String dir = System.getProperty("rlif.shared.dir");
        if (dir == null || !Files.isDirectory(Path.of(dir))) {
            fail("../shared is missing (system property rlif.shared.dir = " + dir
                    + "); these tests need the shared fixtures next to the repository");
        }
        return Path.of(dir);
    }

    static Path gpt2Dir() {
        return shared().resolve("fixtures/ort-genai/tiny-random-gpt2-fp32");
    }

    static Path llamaDir() {
        return shared().resolve("fixtures/ort-genai/tiny-random-llama-fp16");
    }

    static ModelDirectory gpt2() {
        return ModelDirectory.open(gpt2Dir());
    }

    static ModelDirectory llama() {
        return ModelDirectory.open(llamaDir());
    }
}
