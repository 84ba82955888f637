package rlif.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/** The committed {@code models/arith-*} directories, seen from the trainer module (surefire's working directory). */
final class CommittedModels {
    private CommittedModels() {}

    static Path base() {
        return dir("arith-base");
    }

    static Path instruct() {
        return dir("arith-instruct");
    }

    private static Path dir(String name) {
        Path p = Path.of("..", "models", name).toAbsolutePath().normalize();
        assertThat(Files.isRegularFile(p.resolve("model.onnx")))
                .as("the committed model %s is missing (it is part of the repository)", p).isTrue();
        return p;
    }
}
