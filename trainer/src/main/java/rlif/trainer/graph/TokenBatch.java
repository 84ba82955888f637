package rlif.trainer.graph;

/**
 * One micro-batch for a training graph, row-major [rows, length]: decoder inputs, next-token targets, per-token
 * loss weights and, for GRPO, old/reference log-probs, per-row advantages and the entropy bonus's token weights
 * (null when unused). Rows are right-padded: padding sits after every real token, so causal attention keeps it
 * from influencing any weighted position.
 */
public record TokenBatch(int rows, int length, long[] inputIds, long[] attentionMask, long[] positionIds,
        long[] targets, float[] weights, float[] oldLogp, float[] refLogp, float[] advantages, float[] entropyWeights) {
    public TokenBatch {
        int n = rows * length;
        if (inputIds.length != n || attentionMask.length != n || positionIds.length != n || targets.length != n
                || weights.length != n) {
            throw new IllegalArgumentException("batch arrays must all hold rows * length = " + n + " values");
        }
        if ((oldLogp != null && oldLogp.length != n) || (refLogp != null && refLogp.length != n)
                || (advantages != null && advantages.length != rows)
                || (entropyWeights != null && entropyWeights.length != n)) {
            throw new IllegalArgumentException("GRPO arrays have the wrong size");
        }
    }

    /** Number of positions with a non-zero loss weight (the tokens that are trained on). */
    public int weightedTokens() {
        int c = 0;
        for (float w : weights) {
            c += w != 0 ? 1 : 0;
        }
        return c;
    }

    /** The same batch with the reference policy's log-probs of its targets. */
    public TokenBatch withRefLogp(float[] ref) {
        return new TokenBatch(rows, length, inputIds, attentionMask, positionIds, targets, weights, oldLogp, ref,
                advantages, entropyWeights);
    }
}
