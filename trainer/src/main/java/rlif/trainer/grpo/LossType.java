package rlif.trainer.grpo;

import java.util.Locale;

/**
 * How per-token GRPO losses become the step's loss, as TRL's {@code loss_type} defines them. Each is a weight
 * per completion token, fixed for the whole optimiser step before any micro-batch runs, so the gradient
 * accumulated over micro-batches is the gradient of the whole step's loss (except {@link #BNPO}, which TRL
 * defines per micro-batch).
 *
 * <p>With {@code N} completions in the step, completion {@code i} of {@code n_i} tokens, {@code T} completion
 * tokens in the step, {@code L = max_completion_length}, and a micro-batch of {@code T_mb} tokens among
 * {@code M} micro-batches, a token of completion {@code i} weighs:
 */
public enum LossType {
    /** {@code 1 / (n_i N)}: mean over each completion's tokens, then over completions (the original GRPO). */
    GRPO,
    /** {@code 1 / (T_mb M)}: mean over the micro-batch's tokens, then over micro-batches. */
    BNPO,
    /** {@code 1 / (N L)}: a constant normaliser, free of length bias (Dr. GRPO). */
    DR_GRPO,
    /** {@code 1 / T}: mean over every completion token of the step (DAPO; TRL's default). */
    DAPO;

    /** The config spelling ({@code dr_grpo}). */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LossType fromKey(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }

    /**
     * The weight of one token of a completion of {@code n} tokens.
     *
     * @param completions completions in the step ({@code N})
     * @param tokens completion tokens in the step ({@code T})
     * @param maxCompletionLength {@code L}
     * @param microTokens completion tokens in this token's micro-batch ({@code T_mb})
     * @param microBatches micro-batches in the step ({@code M})
     */
    public double tokenWeight(int n, int completions, long tokens, int maxCompletionLength, long microTokens,
            int microBatches) {
        return switch (this) {
            case GRPO -> 1.0 / ((double) n * completions);
            case BNPO -> 1.0 / ((double) microTokens * microBatches);
            case DR_GRPO -> 1.0 / ((double) completions * maxCompletionLength);
            case DAPO -> 1.0 / tokens;
        };
    }
}
