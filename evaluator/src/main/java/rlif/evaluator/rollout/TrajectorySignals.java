package rlif.evaluator.rollout;

/**
 * The per-trajectory signals of docs/signals.md: means of the per-token values over every generated
 * token, accumulated in double; NaN for an empty completion.
 */
public record TrajectorySignals(
        double tokenEntropy, double selfCertainty, double trajectoryEntropy, double sumLogprob) {

    public static TrajectorySignals of(Rollout r) {
        int n = r.numTokens();
        double h = 0;
        double s = 0;
        double l = 0;
        for (int i = 0; i < n; i++) {
            h += r.tokenEntropies()[i];
            s += r.tokenSelfCertainties()[i];
            l += r.tokenLogprobs()[i];
        }
        if (n == 0) {
            return new TrajectorySignals(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        return new TrajectorySignals(h / n, s / n, -l / n, l);
    }
}
