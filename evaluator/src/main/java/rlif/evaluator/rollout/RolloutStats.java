package rlif.evaluator.rollout;

/**
 * Where an engine's time went, summed over every {@code generate} call since it was created.
 *
 * @param prefillRuns   ONNX Runtime runs that fed prompt tokens
 * @param decodeSteps   runs that fed one generated token per row
 * @param rowSteps      rows summed over decode steps (what compaction reduces)
 * @param tokens        generated tokens kept in rollouts
 * @param compactions   times finished rows were dropped from a batch
 * @param prefillNanos  wall time of prefill runs, including their Java-side work
 * @param decodeNanos   wall time of decode steps, including their Java-side work
 * @param decodeOrtNanos time inside {@code OrtSession.run} during decode steps
 * @param decodeSignalNanos time in the signal kernel during decode steps
 * @param totalNanos    wall time of {@code generate} calls
 */
public record RolloutStats(
        long prefillRuns,
        long decodeSteps,
        long rowSteps,
        long tokens,
        long compactions,
        long prefillNanos,
        long decodeNanos,
        long decodeOrtNanos,
        long decodeSignalNanos,
        long totalNanos) {

    public static final RolloutStats ZERO = new RolloutStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Share of decode-step time spent outside {@code OrtSession.run} (signals, sampling, tensors). */
    public double decodeOutsideOrtShare() {
        return decodeNanos == 0 ? Double.NaN : (decodeNanos - decodeOrtNanos) / (double) decodeNanos;
    }

    /** Share of decode-step time spent outside both {@code OrtSession.run} and the signal kernel. */
    public double decodeOverheadShare() {
        return decodeNanos == 0 ? Double.NaN
                : (decodeNanos - decodeOrtNanos - decodeSignalNanos) / (double) decodeNanos;
    }

    /** Generated tokens per second of {@code generate} wall time. */
    public double tokensPerSecond() {
        return totalNanos == 0 ? Double.NaN : tokens * 1e9 / totalNanos;
    }

    public RolloutStats minus(RolloutStats o) {
        return new RolloutStats(prefillRuns - o.prefillRuns, decodeSteps - o.decodeSteps, rowSteps - o.rowSteps,
                tokens - o.tokens, compactions - o.compactions, prefillNanos - o.prefillNanos,
                decodeNanos - o.decodeNanos, decodeOrtNanos - o.decodeOrtNanos,
                decodeSignalNanos - o.decodeSignalNanos, totalNanos - o.totalNanos);
    }
}
