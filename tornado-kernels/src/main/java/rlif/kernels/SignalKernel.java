package rlif.kernels;

/**
 * Computes the internal-feedback signals of many logits rows in one pass each (DESIGN section 5).
 *
 * <p>Implementations must agree with {@link ScalarSignalKernel} within the tolerances stated in
 * docs/signals.md; they may differ in speed, threads and device only.
 */
public interface SignalKernel extends AutoCloseable {
    /** The backend's name as {@code --kernels} spells it. */
    String name();

    /**
     * Fills {@code out[0..rows)} for the given rows at sampling temperature {@code temperature} (> 0;
     * callers use 1 for greedy decoding). {@code chosen} holds one token id per row for the log-prob
     * output, or is null when no token is chosen yet (the log-prob is then NaN and callers derive it
     * from {@code logsumexp} after sampling).
     */
    void compute(LogitRows logits, double temperature, int[] chosen, SignalBatch out);

    /**
     * Prepares for rows of {@code vocab} logits ({@code half}: float16) so that the first timed calls run as fast as
     * later ones (a JIT-compiled backend compiles its loops here), spending at most about {@code maxMillis}. The
     * default does nothing.
     */
    default void warmUp(int vocab, boolean half, long maxMillis) {}

    @Override
    default void close() {}
}
