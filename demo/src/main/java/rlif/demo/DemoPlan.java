package rlif.demo;

import java.util.ArrayList;
import java.util.List;
import rlif.evaluator.prompt.PromptFormat;
import rlif.models.BadInputException;

/**
 * How big each part of {@code rlif demo} is: the held-out set, the GRPO runs (arms, seeds, steps) and the mixing
 * sweep. The task is the one the committed {@code models/word-*} were trained on (see {@code models/recipes}).
 *
 * @param task the data spec without split, n or seed (the demo and the trainer add them)
 * @param baseFormat how the base model's prompts are written ({@code plain}: the story and a new line)
 * @param instructFormat how the instruct model's prompts are written ({@code chat}: its chat template)
 * @param heldOutProblems held-out problems per evaluation
 * @param heldOutSamples completions sampled per held-out problem (temperature 1)
 * @param maxNewTokens longest completion, in evaluation and training
 * @param steps GRPO steps per run
 * @param evalEvery evaluate the held-out set every this many steps (and at steps 0 and {@code steps})
 * @param promptsPerStep problems per GRPO step
 * @param groupSize sampled completions per problem
 * @param learningRate AdamW learning rate of the GRPO runs (full training, constant schedule), from the sweep
 *     documented in docs/results.md
 * @param arms the treatments and controls, each run from both models
 * @param seeds one run per arm, model and seed
 * @param alphas the {@code rlif mix} weights of the instruct model
 * @param quick whether this is the smoke-test size, too small to conclude anything
 */
public record DemoPlan(String task, PromptFormat baseFormat, PromptFormat instructFormat, int heldOutProblems,
        int heldOutSamples, int maxNewTokens, int steps, int evalEvery, int promptsPerStep, int groupSize,
        double learningRate, List<Arm> arms, List<Long> seeds, List<Double> alphas, boolean isQuick) {

    /** The task of the committed models: two-step English word problems (see models/recipes/README.md). */
    public static final String TASK = "word-problems:steps=2";
    /** Seed of the held-out draw and of held-out sampling: every evaluation sees the same problems. */
    public static final long EVAL_SEED = 20251128L;
    /** The smallest evaluation the issue accepts for a finding: 512 problems x 4 samples. */
    public static final int CONCLUSIVE_PROBLEMS = 512;

    public DemoPlan {
        if (heldOutProblems < 2 || heldOutSamples < 1 || steps < 1 || evalEvery < 1 || promptsPerStep < 1
                || groupSize < 2 || maxNewTokens < 1) {
            throw new BadInputException("demo plan: sizes must be >= 1 (held-out problems and group size >= 2)");
        }
        if (arms.isEmpty() || seeds.isEmpty()) {
            throw new BadInputException("demo plan: name at least one arm and one seed");
        }
        arms = List.copyOf(arms);
        seeds = List.copyOf(seeds);
        alphas = List.copyOf(alphas);
    }

    /**
     * The smoke test: a few minutes on a 2-core machine, one seed, short runs, a small held-out set. It shows the
     * pieces work; it is far too small to conclude anything, and says so.
     */
    public static DemoPlan quick() {
        return new DemoPlan(TASK, PromptFormat.PLAIN, PromptFormat.CHAT, 64, 2, 96, 10, 5, 8, 4, 1e-4,
                List.of(Arm.SELF_CERTAINTY, Arm.VERIFIABLE, Arm.SHUFFLED), List.of(1L), List.of(0.0, 0.5, 1.0), true);
    }

    /**
     * The full demo: every arm from both models, three seeds each, 100 steps, held-out evaluation of 512 problems
     * x 4 samples every 25 steps.
     */
    public static DemoPlan full() {
        return new DemoPlan(TASK, PromptFormat.PLAIN, PromptFormat.CHAT, CONCLUSIVE_PROBLEMS, 4, 96, 100, 25, 8, 8,
                1e-4, List.of(Arm.SELF_CERTAINTY, Arm.TOKEN_ENTROPY, Arm.VERIFIABLE, Arm.SHUFFLED, Arm.SIGN_FLIPPED,
                Arm.KL), List.of(1L, 2L, 3L), List.of(0.0, 0.25, 0.5, 0.75, 1.0), false);
    }

    /**
     * This plan with some sizes replaced (null keeps the plan's own): how {@code rlif demo --steps ... --seeds ...}
     * runs the largest demo a machine can finish. Whether the result may be concluded from is then decided by
     * {@link #conclusive()} on the sizes actually run.
     */
    public DemoPlan resized(Integer newSteps, Integer newEvalEvery, Integer newSeeds, Integer newHeldOut,
            Integer newSamples, List<Arm> newArms, Double newLearningRate) {
        List<Long> seedList = seeds;
        if (newSeeds != null) {
            if (newSeeds < 1) {
                throw new BadInputException("demo plan: --seeds must be >= 1");
            }
            seedList = new ArrayList<>();
            for (long i = 1; i <= newSeeds; i++) {
                seedList.add(i);
            }
        }
        return new DemoPlan(task, baseFormat, instructFormat, newHeldOut != null ? newHeldOut : heldOutProblems,
                newSamples != null ? newSamples : heldOutSamples, maxNewTokens, newSteps != null ? newSteps : steps,
                newEvalEvery != null ? newEvalEvery : evalEvery, promptsPerStep, groupSize,
                newLearningRate != null ? newLearningRate : learningRate, newArms != null ? newArms : arms, seedList,
                alphas, isQuick);
    }

    /** The held-out problems as a spec that {@code rlif score} reads. */
    public String heldOutSpec() {
        return task + ",split=test,n=" + heldOutProblems + ",seed=" + EVAL_SEED;
    }

    /** The steps with a held-out evaluation: 0, every {@code evalEvery}, and the last. */
    public List<Long> evalSteps() {
        List<Long> out = new ArrayList<>();
        for (long s = 0; s < steps; s += evalEvery) {
            out.add(s);
        }
        out.add((long) steps);
        return out;
    }

    /**
     * Why this plan cannot be concluded from, in one line naming each size that falls short of the full demo's
     * (e.g. {@code "too small to conclude anything: 128 x 2 held-out (512 x 4 needed), 1 seed (3 needed)"}), or
     * "" for a conclusive plan.
     */
    public String shortfall() {
        if (conclusive()) {
            return "";
        }
        List<String> why = new ArrayList<>();
        if (heldOutProblems < CONCLUSIVE_PROBLEMS || heldOutSamples < 4) {
            why.add(heldOutProblems + " x " + heldOutSamples + " held-out (" + CONCLUSIVE_PROBLEMS + " x 4 needed)");
        }
        if (seeds.size() < 3) {
            why.add(seeds.size() + (seeds.size() == 1 ? " seed" : " seeds") + " per arm (3 needed)");
        }
        if (steps < 100) {
            why.add(steps + " steps per run (100 needed)");
        }
        return (isQuick ? "--quick is a smoke test of the pieces, " : "") + "too small to conclude anything: "
                + String.join(", ", why);
    }

    /** Whether the held-out set is large enough for the findings the docs draw from a demo. */
    public boolean conclusive() {
        return !isQuick && heldOutProblems >= CONCLUSIVE_PROBLEMS && heldOutSamples >= 4 && seeds.size() >= 3
                && steps >= 100;
    }
}
