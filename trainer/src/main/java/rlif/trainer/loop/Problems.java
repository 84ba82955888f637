package rlif.trainer.loop;

import java.util.ArrayList;
import java.util.List;
import rlif.evaluator.data.ArithGenerator;
import rlif.evaluator.data.ArithProblem;
import rlif.evaluator.data.ArithSpec;

/**
 * Arithmetic problems for a step or for evaluation, a pure function of (spec, split, seed): a resumed
 * run draws exactly the problems an uninterrupted one would.
 */
final class Problems {
    private Problems() {}

    static List<ArithProblem> draw(String source, String split, int n, long seed) {
        String base = source.equals("arith") ? "arith:" : source + ",";
        ArithGenerator gen = new ArithGenerator(ArithSpec.parse(base + "split=" + split + ",n=" + n + ",seed=" + seed));
        List<ArithProblem> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(gen.next());
        }
        return out;
    }

    /** The seed of step {@code step}'s problems (and rollouts), mixed so nearby steps are unrelated. */
    static long stepSeed(long runSeed, long step) {
        long z = runSeed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }
}
