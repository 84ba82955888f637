package rlif.evaluator.report;

/**
 * The per-trajectory signals of docs/signals.md and which way each points to "more confident": higher
 * self-certainty and log-probability, lower entropies.
 */
public enum Signal {
    TOKEN_ENTROPY("token_entropy", -1),
    SELF_CERTAINTY("self_certainty", +1),
    TRAJECTORY_ENTROPY("trajectory_entropy", -1),
    SUM_LOGPROB("sum_logprob", +1);

    private final String json;
    private final int confidenceSign;

    Signal(String json, int confidenceSign) {
        this.json = json;
        this.confidenceSign = confidenceSign;
    }

    public String json() {
        return json;
    }

    /** The signal turned into a confidence score (higher = more confident), as AUROC ranks it. */
    public double confidence(double value) {
        return confidenceSign * value;
    }

    public boolean higherIsMoreConfident() {
        return confidenceSign > 0;
    }
}
