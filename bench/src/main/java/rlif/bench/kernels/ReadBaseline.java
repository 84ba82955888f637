package rlif.bench.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The memory-read baseline: a plain vectorised sum over the same logits, split over threads the way the
 * vector kernel splits them. Nothing can read a buffer faster than this, so kernels are reported as a fraction.
 */
public final class ReadBaseline implements AutoCloseable {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private final int threads;
    private final ForkJoinPool pool;

    public ReadBaseline(int threads) {
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    /** The sum of {@code data[0..n)}, returned so the JIT cannot drop the reads. */
    public double sum(float[] data, int n) {
        if (pool == null) {
            return sum(data, 0, n);
        }
        int parts = threads;
        int width = (n + parts - 1) / parts;
        return pool.submit(() -> IntStream.range(0, parts).parallel()
                        .mapToDouble(p -> sum(data, Math.min(n, p * width), Math.min(n, (p + 1) * width)))
                        .sum())
                .join();
    }

    static double sum(float[] data, int from, int to) {
        int lanes = F.length();
        // Four independent accumulators, so the loop is bound by loads rather than by the add latency.
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int i = from;
        for (int end = to - 4 * lanes; i <= end; i += 4 * lanes) {
            a0 = a0.add(FloatVector.fromArray(F, data, i));
            a1 = a1.add(FloatVector.fromArray(F, data, i + lanes));
            a2 = a2.add(FloatVector.fromArray(F, data, i + 2 * lanes));
            a3 = a3.add(FloatVector.fromArray(F, data, i + 3 * lanes));
        }
        double sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            sum += data[i];
        }
        return sum;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
