package rlif.bench.kernels;

/**
 * One measured cell: a backend (or the read baseline) on a thread count and shape, in logits per wall-clock
 * second, and per second of CPU time the process got divided by the thread count (what the rate would be with
 * the cores to itself; the two agree on an idle machine).
 */
public record BenchResult(
        String backend, int threads, int vocab, int rows, double elementsPerSecond, double elementsPerCpuSecond) {
    public static final String READ_BASELINE = "read-baseline";
}
