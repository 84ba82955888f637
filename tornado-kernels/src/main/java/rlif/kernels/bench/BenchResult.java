package rlif.kernels.bench;

/** One measured cell: a backend (or the read baseline) on a thread count and shape, in logits per second. */
public record BenchResult(String backend, int threads, int vocab, int rows, double elementsPerSecond) {
    public static final String READ_BASELINE = "read-baseline";
}
