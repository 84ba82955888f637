package rlif.demo;

import java.util.List;
import rlif.evaluator.metrics.Interval;
import rlif.evaluator.validity.RewardValidity;
import rlif.trainer.metrics.RewardTrend;

/**
 * What {@code rlif demo} measured, in the shape of {@code demo.json}: the two models on the held-out set, each
 * internal signal's validity as a reward on them, every GRPO run with its gate and held-out curve, and the
 * mixing sweep. Held-out values carry 95% intervals over problems ({@link HeldOut}).
 */
public record DemoResult(DemoPlan plan, List<ModelScore> models, List<RewardValidity.Report> validity,
        List<Run> runs, List<MixPoint> mix) {

    public DemoResult {
        models = List.copyOf(models);
        validity = List.copyOf(validity);
        runs = List.copyOf(runs);
        mix = List.copyOf(mix);
    }

    /** A committed model on the held-out problems, in its own prompt format. */
    public record ModelScore(String name, String promptFormat, HeldOut heldOut) {}

    /**
     * One GRPO run from one model with one arm and seed, with its sanity gate (did the reward it optimised rise?),
     * held-out evaluations every few steps and the paired change of accuracy from step 0 to the last step.
     */
    public record Run(String name, String model, Arm arm, long seed, RewardTrend gate, List<StepPoint> steps,
            Interval accuracyChange) {
        public Run {
            steps = List.copyOf(steps);
        }

        public StepPoint first() {
            return steps.getFirst();
        }

        public StepPoint last() {
            return steps.getLast();
        }
    }

    /** A held-out evaluation during a run (step 0 is the starting model's own evaluation). */
    public record StepPoint(long step, HeldOut heldOut) {}

    /** The model {@code (1 - alpha) base + alpha instruct} on the held-out problems. */
    public record MixPoint(double alpha, HeldOut heldOut) {}
}
