package rlif.evaluator.data;

import java.nio.file.Path;

/**
 * Turns a {@code --data} argument into a {@link ProblemSource}: a built-in generator ({@code arith[:...]},
 * {@code word-problems[:...]}) or a JSONL file path.
 */
public final class ProblemSources {
    private ProblemSources() {}

    public static ProblemSource of(String data) {
        if (ArithSpec.isArith(data)) {
            return new ArithSource(ArithSpec.parse(data));
        }
        if (WordProblemSpec.isWordProblems(data)) {
            return new WordProblemSource(WordProblemSpec.parse(data));
        }
        return new JsonlSource(Path.of(data));
    }
}
