package rlif.evaluator.rollout;

/**
 * Where a teacher-forcing engine's time went, summed over every {@code score} call since it was created.
 *
 * @param runs        ONNX Runtime runs (one per chunk of columns, or per group of rows)
 * @param positions   row positions fed (padding included), each reduced to signals inside the graph
 * @param tokens      completion tokens scored
 * @param ortNanos    time inside {@code OrtSession.run}
 * @param totalNanos  wall time of {@code score} calls
 */
public record ForcingStats(long runs, long positions, long tokens, long ortNanos, long totalNanos) {
    public static final ForcingStats ZERO = new ForcingStats(0, 0, 0, 0, 0);

    /** Completion tokens scored per second of {@code score} wall time. */
    public double tokensPerSecond() {
        return totalNanos == 0 ? Double.NaN : tokens * 1e9 / totalNanos;
    }

    public ForcingStats minus(ForcingStats o) {
        return new ForcingStats(runs - o.runs, positions - o.positions, tokens - o.tokens, ortNanos - o.ortNanos,
                totalNanos - o.totalNanos);
    }
}
