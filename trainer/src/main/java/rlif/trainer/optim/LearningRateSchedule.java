package rlif.trainer.optim;

import rlif.models.BadInputException;

/**
 * Linear warm-up from 0 to the peak rate over {@code warmupSteps}, then constant, linear decay, or cosine decay
 * to {@code minRatio * peak} at {@code totalSteps}. Steps count from 1 (the first update), so the warm-up
 * reaches the peak at update {@code warmupSteps}; transformers' schedulers count from 0, take their first update
 * at rate 0 and reach the peak one update later.
 */
public record LearningRateSchedule(double peak, int warmupSteps, int totalSteps, Decay decay, double minRatio) {
    /** What follows the warm-up. */
    public enum Decay { CONSTANT, LINEAR, COSINE }

    public LearningRateSchedule {
        if (warmupSteps < 0 || totalSteps < 1) {
            throw new BadInputException("warmup_steps must be >= 0 and max_steps >= 1, got " + warmupSteps + " and "
                    + totalSteps);
        }
        if (!(minRatio >= 0 && minRatio <= 1)) {
            throw new BadInputException("lr_scheduler_kwargs.min_lr_rate must be in [0, 1], got " + minRatio);
        }
    }

    /** The learning rate of update number {@code step} (1-based). */
    public double at(long step) {
        if (step <= warmupSteps) {
            return peak * step / warmupSteps;
        }
        if (decay == Decay.CONSTANT || totalSteps <= warmupSteps) {
            return peak;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        double min = peak * minRatio;
        double shape = decay == Decay.LINEAR ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
        return min + (peak - min) * shape;
    }
}
