package rlif.trainer.grpo;

import rlif.models.BadInputException;

/**
 * The knobs of the GRPO objective: clip range, KL coefficient (k3 estimator against the reference
 * policy, 0 = off), entropy bonus coefficient (0 = off) and how token losses are averaged.
 */
public record GrpoSettings(double clipEpsilon, double klCoef, double entropyCoef, Averaging averaging) {
    public GrpoSettings {
        if (!(clipEpsilon > 0 && clipEpsilon < 1)) {
            throw new BadInputException("grpo.clip_epsilon must be in (0, 1), got " + clipEpsilon);
        }
        if (!(klCoef >= 0) || !(entropyCoef >= 0)) {
            throw new BadInputException("grpo.kl_coef and grpo.entropy_coef must be >= 0");
        }
    }

    /** How per-token losses become one number. */
    public enum Averaging {
        /** Sum over every completion token of the batch divided by their count (DAPO, Dr. GRPO). */
        TOKEN,
        /** Mean over tokens within each completion, then mean over completions (the original GRPO). */
        SEQUENCE
    }
}
