package rlif.evaluator.rollout;

/**
 * One sequence to generate: its prompt token ids and the seed of its own random stream, so that what a
 * row samples never depends on which other rows share its batch.
 */
public record RolloutRequest(int[] promptIds, long seed) {
    public RolloutRequest {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("a prompt needs at least one token");
        }
    }
}
