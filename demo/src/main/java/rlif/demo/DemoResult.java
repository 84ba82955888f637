package rlif.demo;

import java.util.List;

/**
 * What {@code rlif demo} measured, in the shape of {@code demo.json} (DESIGN section 9). Values a
 * measurement could not produce (no graded rollout, no generated token) are null.
 */
public record DemoResult(List<ModelScore> models, List<Run> runs, List<MixPoint> mix) {

    public DemoResult {
        models = List.copyOf(models);
        runs = List.copyOf(runs);
        mix = List.copyOf(mix);
    }

    /** A committed model scored on the held-out problems. */
    public record ModelScore(String name, Double accuracy, Double tokenEntropy, Double selfCertainty) {}

    /** One GRPO run from one model with one reward, evaluated every few steps. */
    public record Run(String name, String model, String reward, List<StepPoint> steps) {
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

    /** A held-out evaluation during a run. */
    public record StepPoint(long step, Double accuracy, Double tokenEntropy, Double selfCertainty,
            Double trajectoryEntropy, Double completionLength, Double transitionalRate) {}

    /** The model {@code (1 - alpha) base + alpha instruct} scored on the held-out problems. */
    public record MixPoint(double alpha, Double accuracy, Double tokenEntropy, Double selfCertainty) {}
}
