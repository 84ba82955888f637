package rlif.kernels.bench;

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
 * <p>Each cell is warmed up, then timed over several rounds of back-to-back calls; the best round counts
 * (the machine is shared, and interference only ever slows a round down).
 */
public final class KernelBench {
    public static final int[] VOCABS = {32000, 49152, 151936};
    public static final int[] ROWS = {1, 16, 64};

    /** How long to warm up and time each cell. */
    public record Timing(long warmupMillis, long roundMillis, int rounds) {
        public static final Timing QUICK = new Timing(60, 80, 3);
        public static final Timing FULL = new Timing(300, 300, 5);
    }

    private final Timing timing;
    private final int allCores;

    public KernelBench(Timing timing, int allCores) {
        this.timing = timing;
        this.allCores = allCores;
    }

    /** Why tornado is not measured, or null when it is. */
    public static String tornadoProblem() {
        return TornadoSignalKernel.runtimeProblem();
    }

    /** Cells {@link #run} will measure, for progress reporting. */
    public int cells() {
        int perShape = 5 + (tornadoProblem() == null ? 1 : 0) + (allCores > 1 ? 0 : -2);
        return VOCABS.length * ROWS.length * perShape;
    }

    /** Runs every cell, calling {@code onCell} after each with what was measured. */
    public List<BenchResult> run(Consumer<BenchResult> onCell) {
        List<BenchResult> results = new ArrayList<>();
        try (SignalKernel scalar = new ScalarSignalKernel();
                SignalKernel vector1 = new VectorSignalKernel(1);
                SignalKernel vectorAll = new VectorSignalKernel(allCores);
                SignalKernel tornado = tornadoProblem() == null ? SignalKernels.create("tornado") : null;
                ReadBaseline read1 = new ReadBaseline(1);
                ReadBaseline readAll = new ReadBaseline(allCores)) {
            warmUpJit(vector1, vectorAll, read1, readAll);
            for (int vocab : VOCABS) {
                for (int rows : ROWS) {
                    float[] data = logits(rows, vocab);
                    LogitRows block = LogitRows.of(data, rows, vocab);
                    SignalBatch out = new SignalBatch(rows);
                    int n = rows * vocab;
                    List<BenchResult> shape = new ArrayList<>();
                    shape.add(cell(BenchResult.READ_BASELINE, 1, vocab, rows, () -> read1.sum(data, n)));
                    if (allCores > 1) {
                        shape.add(cell(BenchResult.READ_BASELINE, allCores, vocab, rows, () -> readAll.sum(data, n)));
                    }
                    shape.add(cell("scalar", 1, vocab, rows, () -> call(scalar, block, out)));
                    shape.add(cell("vector", 1, vocab, rows, () -> call(vector1, block, out)));
                    if (allCores > 1) {
                        shape.add(cell("vector", allCores, vocab, rows, () -> call(vectorAll, block, out)));
                    }
                    if (tornado != null) {
                        shape.add(cell("tornado", 1, vocab, rows, () -> call(tornado, block, out)));
                    }
                    for (BenchResult r : shape) {
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
        long end = System.nanoTime() + 10 * timing.warmupMillis() * 1_000_000L;
        double sink = 0;
        while (System.nanoTime() < end) {
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

    private BenchResult cell(String backend, int threads, int vocab, int rows, DoubleSupplier op) {
        double sink = 0;
        long warmEnd = System.nanoTime() + timing.warmupMillis() * 1_000_000L;
        do {
            sink += op.getAsDouble();
        } while (System.nanoTime() < warmEnd);
        double best = 0;
        for (int round = 0; round < timing.rounds(); round++) {
            long start = System.nanoTime();
            long end = start + timing.roundMillis() * 1_000_000L;
            long calls = 0;
            long now;
            do {
                sink += op.getAsDouble();
                calls++;
                now = System.nanoTime();
            } while (now < end);
            best = Math.max(best, (double) calls * rows * vocab / ((now - start) * 1e-9));
        }
        if (Double.isNaN(sink)) {
            throw new IllegalStateException(backend + " produced NaN on generated logits");
        }
        return new BenchResult(backend, threads, vocab, rows, best);
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
