package rlif.evaluator.data;

import java.nio.file.Path;

/** Turns a {@code --data} argument into a {@link ProblemSource}: {@code arith[:...]} or a JSONL file path. */
public final class ProblemSources {
    private ProblemSources() {}

    public static ProblemSource of(String data) {
        if (ArithSpec.isArith(data)) {
            return new ArithSource(ArithSpec.parse(data));
        }
        return new JsonlSource(Path.of(data));
    }
}
