package rlif.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/** The committed model directories, seen from the demo module (surefire's working directory). */
final class CommittedModels {
    private CommittedModels() {}

    static Path arithBase() {
        return dir("arith-base");
    }

    static Path arithInstruct() {
        return dir("arith-instruct");
    }

    private static Path dir(String name) {
        Path p = Path.of("..", "models", name).toAbsolutePath().normalize();
        assertThat(Files.isRegularFile(p.resolve("model.onnx")))
                .as("the committed model %s is missing (it is part of the repository)", p).isTrue();
        return p;
    }
}
