package rlif.kernels;

import static rlif.kernels.VectorMath.F;

import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The CPU backend: one fused pass per row on {@code jdk.incubator.vector}, reading each logit once, with rows
 * (and, when there are fewer rows than threads, column spans of a row) spread over a fixed number of threads.
 *
 * <p>Each lane keeps its own running maximum, {@code s} and {@code t} in float32 over a chunk of
 * {@value #CHUNK} columns (at most 512 terms per lane, which bounds the float rounding); chunks, lanes and
 * threads are then merged in double ({@link SoftmaxPartial}). Logits are compared and subtracted in their
 * raw scale and multiplied by {@code 1/T} afterwards, so {@code z - max} stays exact where it matters.
 *
 * <p>Direct buffers are read by bulk-copying one chunk at a time into a thread-local array that stays in L1:
 * the Java 21 target has no final {@code MemorySegment} API to load vectors from native memory, and a chunk
 * copy costs a fraction of the exp work while leaving memory traffic at one read per logit.
 */
public final class VectorSignalKernel implements SignalKernel {
    /** Columns per float32 accumulation chunk; a multiple of every block size. */
    static final int CHUNK = 8192;

    private static final int LANES = F.length();
    /** The vectorised part of a span is a whole number of vectors; the rest is done in double. */
    private static final int BLOCK = LANES;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[CHUNK]);
    private static final ThreadLocal<float[]> LANE_STATE = ThreadLocal.withInitial(() -> new float[5 * LANES]);
    private static final ThreadLocal<short[]> HALF_SCRATCH = ThreadLocal.withInitial(() -> new short[CHUNK]);

    private final int threads;
    private final ForkJoinPool pool;

    /** A kernel on {@code threads} threads (1 runs on the caller's thread). */
    public VectorSignalKernel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    /** A kernel on all available processors. */
    public VectorSignalKernel() {
        this(Runtime.getRuntime().availableProcessors());
    }

    @Override
    public String name() {
        return "vector";
    }

    public int threads() {
        return threads;
    }

    @Override
    public void compute(LogitRows logits, double temperature, int[] chosen, SignalBatch out) {
        KernelArgs.check(logits, temperature, chosen, out);
        int rows = logits.rows();
        int vocab = logits.vocab();
        if (rows == 0) {
            return;
        }
        double invT = 1.0 / temperature;
        // Split rows into column spans only when there are fewer rows than threads; spans are whole blocks.
        int spans = pool == null ? 1 : Math.max(1, Math.min(ceilDiv(threads, rows), vocab / BLOCK));
        int spanWidth = ceilDiv(ceilDiv(vocab, spans), BLOCK) * BLOCK;
        SoftmaxPartial[] partials = new SoftmaxPartial[rows * spans];
        if (pool == null) {
            for (int u = 0; u < partials.length; u++) {
                partials[u] = span(logits, u / spans, (u % spans) * spanWidth, spanWidth, invT);
            }
        } else {
            pool.submit(() -> IntStream.range(0, partials.length).parallel()
                            .forEach(u -> partials[u] = span(logits, u / spans, (u % spans) * spanWidth, spanWidth, invT)))
                    .join();
        }
        for (int r = 0; r < rows; r++) {
            SoftmaxPartial row = partials[r * spans];
            for (int k = 1; k < spans; k++) {
                SoftmaxPartial p = partials[r * spans + k];
                row.merge(p.max, p.s, p.t, p.sum, p.argmax);
            }
            double chosenZ = chosen == null ? Double.NaN : (double) logits.get(r, chosen[r]) / temperature;
            row.finish(vocab, chosenZ, out, r);
        }
    }

    /** Signals of columns {@code [from, from + width)} (clipped to the row) of one row. */
    private static SoftmaxPartial span(LogitRows logits, int row, int from, int width, double invT) {
        SoftmaxPartial p = new SoftmaxPartial();
        int to = Math.min(logits.vocab(), from + width);
        long rowStart = (long) row * logits.vocab();
        for (int c = from; c < to; c += CHUNK) {
            int len = Math.min(CHUNK, to - c);
            switch (logits) {
                case LogitRows.F32Array a -> accumulate(a.data(), a.offset() + (int) rowStart + c, len, c, invT, p);
                case LogitRows.F32Buffer b -> {
                    FloatBuffer buf = b.data();
                    if (buf.hasArray()) {
                        accumulate(buf.array(), buf.arrayOffset() + (int) rowStart + c, len, c, invT, p);
                    } else {
                        float[] scratch = SCRATCH.get();
                        buf.get((int) rowStart + c, scratch, 0, len);
                        accumulate(scratch, 0, len, c, invT, p);
                    }
                }
                case LogitRows.F16Buffer h -> {
                    float[] scratch = SCRATCH.get();
                    widenHalf(h.data(), (int) rowStart + c, len, scratch);
                    accumulate(scratch, 0, len, c, invT, p);
                }
            }
        }
        return p;
    }

    /** float16 bits {@code [index, index + len)} of the buffer into {@code dst[0..len)}. */
    private static void widenHalf(ShortBuffer buf, int index, int len, float[] dst) {
        short[] src;
        int offset;
        if (buf.hasArray()) {
            src = buf.array();
            offset = buf.arrayOffset() + index;
        } else {
            src = HALF_SCRATCH.get();
            offset = 0;
            buf.get(index, src, 0, len);
        }
        int i = 0;
        for (int upper = len - LANES; i <= upper; i += LANES) {
            VectorMath.halfToFloat(src, offset + i, dst, i);
        }
        for (; i < len; i++) {
            dst[i] = Float.float16ToFloat(src[offset + i]);
        }
    }

    /**
     * Folds {@code a[start..start + len)}, which are columns {@code col0..}, into {@code p}: whole blocks with
     * vectors, the tail (shorter than a block) one element at a time in double.
     */
    static void accumulate(float[] a, int start, int len, int col0, double invT, SoftmaxPartial p) {
        int vectorLen = len - len % BLOCK;
        if (vectorLen > 0) {
            accumulateBlocks(a, start, vectorLen, col0, invT, p);
        }
        for (int i = vectorLen; i < len; i++) {
            p.add(a[start + i] * invT, col0 + i);
        }
    }

    private static void accumulateBlocks(float[] a, int start, int len, int col0, double invT, SoftmaxPartial p) {
        FloatVector vInvT = FloatVector.broadcast(F, (float) invT);
        // -FLT_MAX rather than -inf, so x - max is never -inf - -inf = NaN in a lane that has only seen -inf.
        FloatVector max = FloatVector.broadcast(F, -Float.MAX_VALUE);
        FloatVector s = FloatVector.zero(F);
        FloatVector t = FloatVector.zero(F);
        FloatVector sum = FloatVector.zero(F);
        // Per lane, where its maximum first occurs, as the vector's offset from start: below CHUNK, so exact in a
        // float, which keeps the loop free of float-to-int mask casts (C2 does not intrinsify those here).
        FloatVector maxAt = FloatVector.broadcast(F, -1);
        // One vector per iteration keeps the loop body small enough for C2 to inline every vector call in it
        // (a hand-unrolled body ran out of inlining budget and fell back to boxed vectors); C2 unrolls it itself.
        for (int i = 0; i < len; i += LANES) {
            FloatVector x = FloatVector.fromArray(F, a, start + i);
            VectorMask<Float> rises = x.compare(VectorOperators.GT, max);
            if (rises.anyTrue()) {
                // Rescale the rising lanes' sums to their new maximum: exp(z - new) = exp(z - old) exp(old - new).
                FloatVector newMax = max.blend(x, rises);
                FloatVector d = VectorMath.clampLow(max.sub(newMax).mul(vInvT));
                FloatVector scale = VectorMath.exp(d);
                t = scale.mul(d.fma(s, t));
                s = s.mul(scale);
                max = newMax;
                maxAt = maxAt.blend((float) i, rises);
            }
            sum = sum.add(x);
            FloatVector d = VectorMath.clampLow(x.sub(max).mul(vInvT));
            FloatVector e = VectorMath.exp(d);
            s = s.add(e);
            t = e.fma(d, t);
        }
        // Hand the lanes over in an array: passing vectors to a call that is not inlined would box them.
        float[] lanes = LANE_STATE.get();
        max.intoArray(lanes, 0);
        s.intoArray(lanes, LANES);
        t.intoArray(lanes, 2 * LANES);
        sum.intoArray(lanes, 3 * LANES);
        maxAt.intoArray(lanes, 4 * LANES);
        reduceLanes(a, start, len, col0, invT, lanes, p);
    }

    /** Merges the lanes of one chunk into {@code p}, in double: each lane is rescaled to the chunk maximum. */
    private static void reduceLanes(float[] a, int start, int len, int col0, double invT, float[] lanes,
            SoftmaxPartial p) {
        float chunkMax = -Float.MAX_VALUE;
        for (int l = 0; l < LANES; l++) {
            chunkMax = Math.max(chunkMax, lanes[l]);
        }
        double chunkS = 0;
        double chunkT = 0;
        double chunkSum = 0;
        int argmax = Integer.MAX_VALUE;
        for (int l = 0; l < LANES; l++) {
            double s = lanes[LANES + l];
            double t = lanes[2 * LANES + l];
            chunkSum += lanes[3 * LANES + l];
            if (s > 0) {
                double d = ((double) lanes[l] - chunkMax) * invT;
                double scale = Math.exp(d);
                chunkS += s * scale;
                chunkT += scale * (t + d * s);
            }
            if (lanes[l] == chunkMax && lanes[4 * LANES + l] >= 0) {
                argmax = Math.min(argmax, start + (int) lanes[4 * LANES + l] + l);
            }
        }
        if (argmax == Integer.MAX_VALUE) {
            // No lane rose above the -FLT_MAX start: every entry is -inf (or -FLT_MAX itself).
            argmax = start;
            for (int i = start; i < start + len; i++) {
                if (a[i] == chunkMax) {
                    argmax = i;
                    break;
                }
            }
            if (a[argmax] == Float.NEGATIVE_INFINITY) {
                p.merge(Double.NEGATIVE_INFINITY, 0, 0, chunkSum * invT, col0 + argmax - start);
                return;
            }
        }
        p.merge((double) chunkMax * invT, chunkS, chunkT, chunkSum * invT, col0 + argmax - start);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
