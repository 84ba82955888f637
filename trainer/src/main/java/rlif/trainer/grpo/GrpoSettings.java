package rlif.trainer.grpo;

import rlif.models.BadInputException;

/**
 * The knobs of the GRPO objective, in TRL's terms: the clip range {@code [1 - epsilonLow, 1 + epsilonHigh]}
 * ({@code epsilon}, {@code epsilon_high}), the KL coefficient {@code beta} (k3 estimator against the reference
 * policy, 0 = off), the entropy bonus coefficient ({@code entropy_coef}, 0 = off) and the {@link LossType}.
 */
public record GrpoSettings(double epsilonLow, double epsilonHigh, double beta, double entropyCoef, LossType lossType) {
    public GrpoSettings {
        if (!(epsilonLow > 0 && epsilonLow < 1)) {
            throw new BadInputException("grpo.epsilon must be in (0, 1), got " + epsilonLow);
        }
        if (!(epsilonHigh > 0) || Double.isInfinite(epsilonHigh)) {
            throw new BadInputException("grpo.epsilon_high must be a finite number > 0, got " + epsilonHigh);
        }
        if (!(beta >= 0) || !(entropyCoef >= 0) || Double.isInfinite(beta) || Double.isInfinite(entropyCoef)) {
            throw new BadInputException("grpo.beta and grpo.entropy_coef must be finite numbers >= 0");
        }
    }

    /** A symmetric clip range. */
    public static GrpoSettings symmetric(double epsilon, double beta, double entropyCoef, LossType lossType) {
        return new GrpoSettings(epsilon, epsilon, beta, entropyCoef, lossType);
    }
}
