package rlif.evaluator.rollout;

/**
 * One generated completion with its per-token signals (index i is generated token i, eos included).
 *
 * <p>Per-token values follow docs/signals.md at the signal temperature: {@code tokenLogprobs[i] = l_i},
 * {@code tokenEntropies[i] = H_i}, {@code tokenSelfCertainties[i] = S_i}.
 */
public record Rollout(
        int[] promptIds,
        int[] completionIds,
        FinishReason finishReason,
        double[] tokenLogprobs,
        double[] tokenEntropies,
        double[] tokenSelfCertainties) {
    public Rollout {
        int n = completionIds.length;
        if (tokenLogprobs.length != n || tokenEntropies.length != n || tokenSelfCertainties.length != n) {
            throw new IllegalArgumentException("per-token signal arrays must have one entry per completion token");
        }
    }

    public int numTokens() {
        return completionIds.length;
    }

    public TrajectorySignals signals() {
        return TrajectorySignals.of(this);
    }
}
