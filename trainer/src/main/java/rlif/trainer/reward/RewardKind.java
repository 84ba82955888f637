package rlif.trainer.reward;

import java.util.Locale;
import rlif.evaluator.rollout.TrajectorySignals;

/**
 * The rewards a run can train on (DESIGN section 7). Entropies are negated so that, like self-certainty
 * and correctness, a higher reward means a more confident (or correct) completion.
 */
public enum RewardKind {
    /** Mean per-token KL(U || p): the Intuitor reward. */
    SELF_CERTAINTY,
    /** Minus the mean per-token entropy. */
    TOKEN_ENTROPY,
    /** Minus the mean per-token negative log-prob of the sampled tokens (minus the Monte Carlo sequence entropy). */
    TRAJECTORY_ENTROPY,
    /** 1 when the grader says the final answer is correct, else 0 (RLVR). */
    VERIFIABLE;

    /** The name used in configs and metrics. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a config key, or null when there is no such reward. */
    public static RewardKind fromKey(String key) {
        for (RewardKind k : values()) {
            if (k.key().equals(key)) {
                return k;
            }
        }
        return null;
    }

    /**
     * This reward for one completion; an empty completion has no signals and gets 0 from the internal
     * rewards, and an ungradable one (no reference) gets 0 from {@code verifiable}.
     */
    public double of(TrajectorySignals signals, Boolean correct) {
        return switch (this) {
            case SELF_CERTAINTY -> finiteOrZero(signals.selfCertainty());
            case TOKEN_ENTROPY -> -finiteOrZero(signals.tokenEntropy());
            case TRAJECTORY_ENTROPY -> -finiteOrZero(signals.trajectoryEntropy());
            case VERIFIABLE -> Boolean.TRUE.equals(correct) ? 1 : 0;
        };
    }

    private static double finiteOrZero(double x) {
        return Double.isFinite(x) ? x : 0;
    }
}
