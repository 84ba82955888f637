package rlif.bench.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import rlif.kernels.LogitRows;
import rlif.kernels.SignalBatch;
import rlif.kernels.VectorSignalKernel;

/**
 * Where handing part of a signal-kernel call to the helper thread starts to pay: the vector kernel on the calling
 * thread alone against the same kernel spreading every call over all cores, on the row counts a decode step has,
 * timed in interleaved rounds (best round counts). The engine's threshold ({@link VectorSignalKernel#DEFAULT_FORK_AT_LOGITS})
 * comes from this table.
 */
public final class ForkBreakEven {
    /** One cell: logits per call and the time per call of each way. */
    public record Cell(int rows, int vocab, double callerMicros, double spreadMicros) {
        public double speedup() {
            return callerMicros / spreadMicros;
        }
    }

    private ForkBreakEven() {}

    /** Cells for vocab 32000 and 151936 x rows 1 to 64, {@code rounds} rounds of about {@code roundMillis} each. */
    public static List<Cell> run(int threads, int rounds, long roundMillis) {
        List<Cell> out = new ArrayList<>();
        VectorSignalKernel caller = new VectorSignalKernel(1);
        VectorSignalKernel spread = new VectorSignalKernel(threads, 0);
        caller.warmUp(32000, false, 2000);
        spread.warmUp(32000, false, 2000);
        for (int vocab : new int[] {32000, 151936}) {
            for (int rows : new int[] {1, 2, 4, 8, 16, 32, 64}) {
                float[] data = new float[rows * vocab];
                Random rnd = new Random(rows * 31L + vocab);
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) (rnd.nextGaussian() * 3);
                }
                LogitRows logits = LogitRows.of(data, rows, vocab);
                SignalBatch signals = new SignalBatch(rows);
                time(caller, logits, signals, roundMillis); // warm both
                time(spread, logits, signals, roundMillis);
                double a = Double.MAX_VALUE;
                double b = Double.MAX_VALUE;
                for (int r = 0; r < rounds; r++) {
                    a = Math.min(a, time(caller, logits, signals, roundMillis));
                    b = Math.min(b, time(spread, logits, signals, roundMillis));
                }
                out.add(new Cell(rows, vocab, a, b));
            }
        }
        return out;
    }

    /** Microseconds per call over a round of about {@code millis}. */
    private static double time(VectorSignalKernel k, LogitRows logits, SignalBatch out, long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long calls = 0;
        long t0 = System.nanoTime();
        long t;
        do {
            k.compute(logits, 1.0, null, out);
            calls++;
            t = System.nanoTime();
        } while (t < end);
        return (t - t0) / 1e3 / calls;
    }
}
