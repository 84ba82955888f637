package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
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

    /** A copy of the GPT-2 fixture in {@code tmp} whose genai_config.json declares the two ids {@code eos} as its end tokens. */
    static ModelDirectory gpt2WithEos(Path tmp, int... eos) throws IOException {
        Path src = gpt2Dir();
        Path dir = Files.createDirectory(tmp.resolve("gpt2-eos"));
        Files.copy(src.resolve("past.onnx"), dir.resolve("past.onnx"));
        String config = Files.readString(src.resolve("genai_config.json"))
                .replace("\"eos_token_id\": 98", "\"eos_token_id\": [" + eos[0] + ", " + eos[1] + "]");
        assertThat(config).contains("[" + eos[0]);
        Files.writeString(dir.resolve("genai_config.json"), config);
        return ModelDirectory.open(dir);
    }
}
