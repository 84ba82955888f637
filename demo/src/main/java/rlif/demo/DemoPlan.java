package rlif.demo;

import java.util.List;
import rlif.models.BadInputException;

/**
 * How big each part of {@code rlif demo} is: the held-out set, the GRPO runs and the mixing sweep. The
 * task is the one the committed {@code models/arith-*} were trained on (see {@code models/recipes}).
 *
 * @param task the arith spec without split, n or seed (the demo adds them)
 * @param evalLimit held-out problems per evaluation (one sample each, temperature 1)
 * @param steps GRPO steps per run
 * @param evalEvery evaluate the held-out set every this many steps (and at steps 0 and {@code steps})
 * @param promptsPerStep problems per GRPO step
 * @param groupSize sampled completions per problem
 * @param learningRate AdamW learning rate of the GRPO runs (full training, constant schedule)
 * @param alphas the {@code rlif mix} weights of the instruct model
 * @param seed seed of the runs and of scoring
 */
public record DemoPlan(String task, int evalLimit, int maxNewTokens, int steps, int evalEvery, int promptsPerStep,
        int groupSize, double learningRate, List<Double> alphas, long seed) {

    /** The task of the committed models: two single-digit additions or subtractions, worked line by line. */
    public static final String TASK = "arith:level=1,steps=2";
    /** Seed of the held-out draw; the trainer's evaluation uses the same one, so both see the same problems. */
    public static final long EVAL_SEED = 20251128L;

    public DemoPlan {
        if (evalLimit < 1 || steps < 1 || evalEvery < 1 || promptsPerStep < 1 || groupSize < 2 || maxNewTokens < 1) {
            throw new BadInputException("demo plan: sizes must be >= 1 (group size >= 2)");
        }
        alphas = List.copyOf(alphas);
    }

    /** Under five minutes on a quiet 2-core machine: short runs, a small held-out set. */
    public static DemoPlan quick() {
        return new DemoPlan(TASK, 64, 40, 12, 4, 8, 6, 2e-4, List.of(0.0, 0.25, 0.5, 0.75, 1.0), 1);
    }

    /** Under thirty minutes: long enough runs to see a rise and a fall. */
    public static DemoPlan full() {
        return new DemoPlan(TASK, 128, 40, 40, 4, 8, 8, 2e-4, List.of(0.0, 0.25, 0.5, 0.75, 1.0), 1);
    }

    /** The held-out problems as an {@code arith} spec that {@code rlif score} reads. */
    public String heldOutSpec() {
        return task + ",split=test,n=" + evalLimit + ",seed=" + EVAL_SEED;
    }
}
