package rlif.evaluator.rollout;

/** Why generation of a rollout stopped. */
public enum FinishReason {
    /** The model produced an end-of-sequence token (included in the completion). */
    EOS,
    /** The completion reached {@code --max-new-tokens}. */
    LENGTH,
    /**
     * The step's logits held NaN or +infinity, so nothing could be sampled and no signal is defined; the
     * completion holds the tokens before that step.
     */
    NON_FINITE;

    /** The spelling used in {@code rollouts.jsonl}. */
    public String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
