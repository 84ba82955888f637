package rlif.bench.jmh;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import rlif.kernels.LogitRows;
import rlif.kernels.SignalBatch;
import rlif.kernels.SignalKernel;
import rlif.kernels.SignalKernels;
import rlif.kernels.VectorSignalKernel;
import rlif.bench.kernels.ReadBaseline;

/**
 * JMH view of the signal kernels: one kernel call on {@code rows x vocab} N(0, 3) logits per operation, and the
 * memory-read baseline on the same buffer. Operations per second times {@code rows * vocab} is the elements per
 * second that {@code rlif bench kernels} prints; this is the harness to use when a number needs JMH's rigour.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseTransparentHugePages"})
public class SignalKernelBenchmark {
    @Param({"32000", "49152", "151936"})
    int vocab;

    @Param({"1", "16", "64"})
    int rows;

    /** {@code scalar}, {@code vector} (one thread) or {@code vector-all} (all processors). */
    @Param({"scalar", "vector", "vector-all"})
    String backend;

    private float[] data;
    private LogitRows logits;
    private SignalBatch out;
    private SignalKernel kernel;
    private ReadBaseline read;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(31L * vocab + rows);
        data = new float[rows * vocab];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (random.nextGaussian() * 3);
        }
        logits = LogitRows.of(data, rows, vocab);
        out = new SignalBatch(rows);
        int threads = backend.equals("vector-all") ? Runtime.getRuntime().availableProcessors() : 1;
        // vector-all spreads every call over the threads, whatever its size, as the bench's all-cores cells do.
        kernel = backend.startsWith("vector") ? new VectorSignalKernel(threads, 0) : SignalKernels.create(backend, threads);
        read = new ReadBaseline(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kernel.close();
        read.close();
    }

    @Benchmark
    public double signals() {
        kernel.compute(logits, 1.0, null, out);
        return out.entropy[0];
    }

    /** The same buffer read by a plain vectorised sum on the backend's thread count. */
    @Benchmark
    public double readBaseline() {
        return read.sum(data, data.length);
    }
}
