package rlif.evaluator.data;

/**
 * A source that generates its problems and keeps its own train/test split (the built-in {@code arith}
 * generator, and any generator registered in {@link ProblemSources}): training draws fresh problems of the
 * train split for every step, and held-out evaluation draws from the test split, which never shares a prompt
 * with the train split. Sources that are not generators (JSONL files) are split by the trainer instead.
 *
 * <p>A generator's spec names its split, count and seed with the keys {@code split}, {@code n} and {@code seed};
 * the trainer sets those itself and refuses a spec that fixes them.
 */
public interface SplitGenerator {
    /** The keys of a generator spec that {@link #draw} sets. */
    java.util.List<String> DRAW_KEYS = java.util.List.of("split", "n", "seed");

    /**
     * {@code n} problems of {@code split} ({@code train} or {@code test}) drawn with {@code seed}: the same
     * arguments always give the same problems, whatever was drawn before.
     */
    ProblemSource draw(String split, int n, long seed);
}
