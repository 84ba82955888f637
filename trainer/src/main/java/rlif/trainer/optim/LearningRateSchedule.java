package rlif.trainer.optim;

import rlif.models.BadInputException;

/**
 * Linear warm-up from 0 to the peak rate over {@code warmupSteps}, then either constant or a cosine
 * decay to {@code minRatio * peak} at {@code totalSteps}. Steps count from 1 (the first update).
 */
public record LearningRateSchedule(double peak, int warmupSteps, int totalSteps, boolean cosine, double minRatio) {
    public LearningRateSchedule {
        if (warmupSteps < 0 || totalSteps < 1) {
            throw new BadInputException("optimizer.warmup_steps must be >= 0 and steps >= 1, got "
                    + warmupSteps + " and " + totalSteps);
        }
        if (!(minRatio >= 0 && minRatio <= 1)) {
            throw new BadInputException("optimizer.min_lr_ratio must be in [0, 1], got " + minRatio);
        }
    }

    /** The learning rate of update number {@code step} (1-based). */
    public double at(long step) {
        if (step <= warmupSteps) {
            return peak * step / warmupSteps;
        }
        if (!cosine || totalSteps <= warmupSteps) {
            return peak;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        double min = peak * minRatio;
        return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
