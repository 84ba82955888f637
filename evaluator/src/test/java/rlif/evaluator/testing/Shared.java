package rlif.evaluator.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the read-only shared fixtures and data ({@code -Drlif.shared.dir}, set by surefire to ../shared). */
public final class Shared {
    private Shared() {}

    public static Path dir() {
        String prop = System.getProperty("rlif.shared.dir");
        Path dir = Path.of(prop == null ? "../shared" : prop);
        if (!Files.isDirectory(dir.resolve("data")) || !Files.isDirectory(dir.resolve("fixtures"))) {
            throw new AssertionError("../shared is missing: expected the shared data and fixtures at "
                    + dir.toAbsolutePath() + " (system property rlif.shared.dir)");
        }
        return dir;
    }

    public static Path data(String name) {
        return dir().resolve("data").resolve(name);
    }

    public static Path fixture(String name) {
        return dir().resolve("fixtures/ort-genai").resolve(name);
    }
}
