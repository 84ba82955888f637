package rlif.bench.kernels;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import rlif.kernels.LogitRows;
import rlif.kernels.ScalarSignalKernel;
import rlif.kernels.SignalBatch;
import rlif.kernels.SignalKernel;
import rlif.kernels.SignalKernels;
import rlif.kernels.TornadoSignalKernel;
import rlif.kernels.VectorSignalKernel;

/**
 * Measures every backend and the read baseline on the same logits buffers in one run: vocab in
 * {32000, 49152, 151936} x rows in {1, 16, 64}, scalar on 1 thread, vector on 1 thread and on all cores,
 * tornado when its runtime is there.
 *
 * <p>The cells of a shape are warmed up, then timed in interleaved rounds of back-to-back calls; each cell's
 * best round counts (the machine is shared, and interference only ever slows a round down). Each round is timed
 * twice: by the wall clock, and by the CPU time the cell's threads got (divided by their number), which discounts
 * the time other processes held the cores. CPU time is read per thread, to the nanosecond: the process-wide counter
 * ticks in 10 ms steps on Linux, so on a loaded machine a 100 ms round of a pool could read 0 and print a rate of
 * Infinity. A round whose threads got no CPU time measures nothing by that clock and is skipped; a cell with no
 * such round reports NaN, printed as n/a.
 */
public final class KernelBench {
    public static final int[] VOCABS = {32000, 49152, 151936};
    public static final int[] ROWS = {1, 16, 64};

    /** How long to warm up and time each cell. */
    public record Timing(long warmupMillis, long roundMillis, int rounds) {
        public static final Timing QUICK = new Timing(60, 100, 6);
        public static final Timing FULL = new Timing(300, 300, 5);
    }

    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The backends a bench can time besides the read baseline and scalar, which every table compares with. */
    public static final java.util.Set<String> BACKENDS = java.util.Set.of("vector", "tornado");

    private final Timing timing;
    private final int allCores;
    private final java.util.Set<String> backends;

    /** Every backend (tornado when its runtime is there). */
    public KernelBench(Timing timing, int allCores) {
        this(timing, allCores, tornadoProblem() == null ? BACKENDS : java.util.Set.of("vector"));
    }

    /**
     * Only {@code backends} (of {@link #BACKENDS}) besides the read baseline and scalar; {@code tornado} without its
     * runtime is an {@link IllegalArgumentException} saying why.
     */
    public KernelBench(Timing timing, int allCores, java.util.Set<String> backends) {
        if (!BACKENDS.containsAll(backends)) {
            throw new IllegalArgumentException("--kernels takes " + String.join(", ", new java.util.TreeSet<>(BACKENDS))
                    + " (the read baseline and scalar always run), got " + backends);
        }
        if (backends.contains("tornado") && tornadoProblem() != null) {
            throw new IllegalArgumentException("--kernels tornado is unavailable: " + tornadoProblem());
        }
        this.timing = timing;
        this.allCores = allCores;
        this.backends = java.util.Set.copyOf(backends);
    }

    /** Why tornado is not measured, or null when it is. */
    public static String tornadoProblem() {
        return TornadoSignalKernel.runtimeProblem();
    }

    /** The 1-minute load average, to print beside the numbers: above the core count, cells share cores. */
    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** Cells {@link #run} will measure, for progress reporting. */
    public int cells() {
        int perThreadCount = 1 + (backends.contains("vector") ? 1 : 0);
        int perShape = 1 + perThreadCount * (allCores > 1 ? 2 : 1) + (backends.contains("tornado") ? 1 : 0);
        return VOCABS.length * ROWS.length * perShape;
    }

    /** Runs every cell, calling {@code onCell} after each with what was measured. */
    public List<BenchResult> run(Consumer<BenchResult> onCell) {
        List<BenchResult> results = new ArrayList<>();
        try (SignalKernel scalar = new ScalarSignalKernel();
                SignalKernel vector1 = new VectorSignalKernel(1);
                SignalKernel vectorAll = new VectorSignalKernel(allCores, 0);
                SignalKernel tornado = backends.contains("tornado") ? SignalKernels.create("tornado") : null;
                ReadBaseline read1 = new ReadBaseline(1);
                ReadBaseline readAll = new ReadBaseline(allCores)) {
            warmUpJit(vector1, vectorAll, read1, readAll);
            for (int vocab : VOCABS) {
                for (int rows : ROWS) {
                    float[] data = logits(rows, vocab);
                    LogitRows block = LogitRows.of(data, rows, vocab);
                    SignalBatch out = new SignalBatch(rows);
                    int n = rows * vocab;
                    List<Cell> shape = new ArrayList<>();
                    shape.add(new Cell(BenchResult.READ_BASELINE, 1, () -> read1.sum(data, n)));
                    if (allCores > 1) {
                        shape.add(new Cell(BenchResult.READ_BASELINE, allCores, () -> readAll.sum(data, n)));
                    }
                    shape.add(new Cell("scalar", 1, () -> call(scalar, block, out)));
                    if (backends.contains("vector")) {
                        shape.add(new Cell("vector", 1, () -> call(vector1, block, out)));
                    }
                    if (backends.contains("vector") && allCores > 1) {
                        shape.add(new Cell("vector", allCores, () -> call(vectorAll, block, out)));
                    }
                    if (tornado != null) {
                        shape.add(new Cell("tornado", 1, () -> call(tornado, block, out)));
                    }
                    measure(shape, vocab, rows);
                    for (Cell cell : shape) {
                        BenchResult r = cell.result(vocab, rows);
                        results.add(r);
                        onCell.accept(r);
                    }
                }
            }
        }
        return results;
    }

    /** Gets C2 to compile the vector paths before the first timed cell. */
    private void warmUpJit(SignalKernel vector1, SignalKernel vectorAll, ReadBaseline read1, ReadBaseline readAll) {
        int vocab = 32000;
        float[] data = logits(16, vocab);
        LogitRows block = LogitRows.of(data, 16, vocab);
        SignalBatch out = new SignalBatch(16);
        // Long enough for C2 to compile the vector loops even when other processes share the cores.
        long end = System.nanoTime() + Math.max(2000, 10 * timing.warmupMillis()) * 1_000_000L;
        double sink = 0;
        for (int calls = 0; calls < 200 || System.nanoTime() < end; calls++) {
            sink += call(vector1, block, out) + call(vectorAll, block, out);
            sink += read1.sum(data, data.length) + readAll.sum(data, data.length);
        }
        if (sink == 42.4242) {
            System.err.print("");
        }
    }

    private static double call(SignalKernel kernel, LogitRows block, SignalBatch out) {
        kernel.compute(block, 1.0, null, out);
        return out.entropy[0];
    }

    /** One backend on one shape: the operation and the best rates seen so far. */
    private static final class Cell {
        final String backend;
        final int threads;
        final DoubleSupplier op;
        double best;
        double bestCpu;

        Cell(String backend, int threads, DoubleSupplier op) {
            this.backend = backend;
            this.threads = threads;
            this.op = op;
        }

        BenchResult result(int vocab, int rows) {
            return new BenchResult(backend, threads, vocab, rows, best, bestCpu > 0 ? bestCpu : Double.NaN);
        }
    }

    /**
     * Warms every cell of a shape, then times them in interleaved rounds (round 1 of each cell, round 2 of
     * each, ...), keeping each cell's best: cells that are compared with each other (a kernel and the read
     * baseline) see the same machine, even when its speed drifts over seconds, as a shared virtual machine's does.
     */
    private void measure(List<Cell> cells, int vocab, int rows) {
        double sink = 0;
        for (Cell cell : cells) {
            long warmEnd = System.nanoTime() + timing.warmupMillis() * 1_000_000L;
            do {
                sink += cell.op.getAsDouble();
            } while (System.nanoTime() < warmEnd);
        }
        for (int round = 0; round < timing.rounds(); round++) {
            for (Cell cell : cells) {
                long cpuStart = cpuTime(cell.threads);
                long start = System.nanoTime();
                long end = start + timing.roundMillis() * 1_000_000L;
                long calls = 0;
                long now;
                do {
                    sink += cell.op.getAsDouble();
                    calls++;
                    now = System.nanoTime();
                } while (now < end || calls < 2);
                long cpu = cpuTime(cell.threads) - cpuStart;
                double elements = (double) calls * rows * vocab;
                cell.best = Math.max(cell.best, elements / ((now - start) * 1e-9));
                if (cpu > 0) {
                    cell.bestCpu = Math.max(cell.bestCpu, elements / (cpu * 1e-9 / cell.threads));
                }
            }
        }
        if (Double.isNaN(sink)) {
            throw new IllegalStateException("a backend produced NaN on generated logits");
        }
    }

    /**
     * CPU nanoseconds so far of the threads doing a cell's work: the calling thread alone for one-thread cells
     * (so JIT and idle pool threads do not count), every Java thread of the process for pools (the pool's workers
     * and the caller; garbage collection and JIT threads, which are not Java threads, do not count either).
     */
    private static long cpuTime(int threads) {
        if (threads == 1) {
            return THREADS.getCurrentThreadCpuTime();
        }
        long sum = 0;
        for (long t : THREADS.getThreadCpuTime(THREADS.getAllThreadIds())) {
            sum += Math.max(0, t); // -1 for a thread that ended between the two calls
        }
        return sum;
    }

    /** Language-model-like logits: N(0, 3), seeded by the shape. */
    static float[] logits(int rows, int vocab) {
        Random random = new Random(31L * vocab + rows);
        float[] data = new float[rows * vocab];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (random.nextGaussian() * 3);
        }
        return data;
    }
}
