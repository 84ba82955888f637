package rlif.trainer.optim;

import rlif.models.BadInputException;

/** Hyper-parameters of AdamW: peak learning rate, moment decays, epsilon and decoupled weight decay. */
public record AdamWConfig(double lr, double beta1, double beta2, double eps, double weightDecay) {
    public AdamWConfig {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new BadInputException("optimizer.lr must be a finite number >= 0, got " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new BadInputException("optimizer.betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0)) {
            throw new BadInputException("optimizer.eps must be > 0, got " + eps);
        }
        if (!(weightDecay >= 0)) {
            throw new BadInputException("optimizer.weight_decay must be >= 0, got " + weightDecay);
        }
    }
}
