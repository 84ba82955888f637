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
    /** The vectorised part of a chunk is an even number of vectors (two streams); the rest is done in double. */
    private static final int BLOCK = 2 * LANES;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[CHUNK]);
    private static final ThreadLocal<float[]> LANE_STATE = ThreadLocal.withInitial(() -> new float[11 * LANES]);
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
        startSpan();
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

    /** Resets the lane maxima carried from chunk to chunk within a span. */
    static void startSpan() {
        java.util.Arrays.fill(LANE_STATE.get(), 0, LANES, -Float.MAX_VALUE);
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
        FloatVector one = FloatVector.broadcast(F, 1f);
        float[] lanes = LANE_STATE.get();
        // Two independent streams over the two halves of the chunk: two dependency chains and two memory streams
        // in flight (measured 1.25e9 -> 1.67e9 logits per CPU-second once rows no longer fit in L2).
        int half = len / 2;
        int b = start + half;
        // Lane maxima carry over from the span's earlier chunks, so after the first chunk a new lane maximum (and
        // its rescale) is rare. They start at -FLT_MAX rather than -inf, so x - max is never -inf - -inf = NaN.
        FloatVector maxA = FloatVector.fromArray(F, lanes, 0);
        FloatVector maxB = maxA;
        FloatVector sA = FloatVector.zero(F);
        FloatVector tA = FloatVector.zero(F);
        FloatVector sumA = FloatVector.zero(F);
        FloatVector sB = sA;
        FloatVector tB = sA;
        FloatVector sumB = sA;
        // Per lane, where its maximum first occurs, as the vector's offset in its stream: below CHUNK, so exact in
        // a float, which keeps the loop free of float-to-int mask casts (C2 does not intrinsify those here).
        FloatVector atA = FloatVector.broadcast(F, -1);
        FloatVector atB = atA;
        // One vector per stream per iteration, and nothing but force-inlined vector calls on the rare path: C2
        // then compiles the whole loop to vector code whatever profile it sees first. (A hand-unrolled body, or
        // an exp call on the rare path, ran out of inlining budget or went cold, and fell back to boxed vectors.)
        for (int i = 0; i < half; i += LANES) {
            FloatVector xA = FloatVector.fromArray(F, a, start + i);
            FloatVector xB = FloatVector.fromArray(F, a, b + i);
            sumA = sumA.add(xA);
            sumB = sumB.add(xB);
            // d = (x - max) / T against the maximum so far: <= 0, except in lanes where x is a new maximum. There
            // -d = (max - x) / T is the exponent that rescales the lane's sums, so exp(-|d|) serves both cases.
            FloatVector dA = xA.sub(maxA).mul(vInvT);
            FloatVector dB = xB.sub(maxB).mul(vInvT);
            VectorMask<Float> risesA = xA.compare(VectorOperators.GT, maxA);
            VectorMask<Float> risesB = xB.compare(VectorOperators.GT, maxB);
            FloatVector argA = VectorMath.clampLow(dA.abs().neg());
            FloatVector argB = VectorMath.clampLow(dB.abs().neg());
            FloatVector eA = VectorMath.exp(argA);
            FloatVector eB = VectorMath.exp(argB);
            if (risesA.or(risesB).anyTrue()) {
                // Rising lanes: s <- s exp(-d) + 1 (x itself weighs exp(0)), t <- exp(-d) (t - d s) (x adds 0).
                FloatVector sRiseA = sA.fma(eA, one);
                FloatVector tRiseA = eA.mul(argA.fma(sA, tA));
                sA = sA.add(eA).blend(sRiseA, risesA);
                tA = eA.fma(argA, tA).blend(tRiseA, risesA);
                maxA = maxA.blend(xA, risesA);
                atA = atA.blend((float) i, risesA);
                FloatVector sRiseB = sB.fma(eB, one);
                FloatVector tRiseB = eB.mul(argB.fma(sB, tB));
                sB = sB.add(eB).blend(sRiseB, risesB);
                tB = eB.fma(argB, tB).blend(tRiseB, risesB);
                maxB = maxB.blend(xB, risesB);
                atB = atB.blend((float) i, risesB);
            } else {
                sA = sA.add(eA);
                tA = eA.fma(argA, tA);
                sB = sB.add(eB);
                tB = eB.fma(argB, tB);
            }
        }
        // Hand the lanes over in an array: passing vectors to a call that is not inlined would box them.
        maxA.intoArray(lanes, LANES);
        sA.intoArray(lanes, 2 * LANES);
        tA.intoArray(lanes, 3 * LANES);
        sumA.intoArray(lanes, 4 * LANES);
        atA.intoArray(lanes, 5 * LANES);
        maxB.intoArray(lanes, 6 * LANES);
        sB.intoArray(lanes, 7 * LANES);
        tB.intoArray(lanes, 8 * LANES);
        sumB.intoArray(lanes, 9 * LANES);
        atB.intoArray(lanes, 10 * LANES);
        for (int l = 0; l < LANES; l++) {
            lanes[l] = Math.max(lanes[LANES + l], lanes[6 * LANES + l]); // carried to the next chunk
        }
        reduceLanes(a, start, half, col0, invT, lanes, LANES, p);
        reduceLanes(a, b, half, col0 + half, invT, lanes, 6 * LANES, p);
    }

    /**
     * Merges the lanes of one stream ({@code a[start..start + len)}, columns from {@code col0}) into {@code p}, in
     * double: each lane is rescaled to the stream's maximum. Lane state is at {@code lanes[base..]}: max, s, t,
     * sum and the offset of the maximum, {@code LANES} values each.
     */
    private static void reduceLanes(float[] a, int start, int len, int col0, double invT, float[] lanes, int base,
            SoftmaxPartial p) {
        float streamMax = -Float.MAX_VALUE;
        for (int l = 0; l < LANES; l++) {
            streamMax = Math.max(streamMax, lanes[base + l]);
        }
        double streamS = 0;
        double streamT = 0;
        double streamSum = 0;
        int argmax = Integer.MAX_VALUE;
        for (int l = 0; l < LANES; l++) {
            double laneMax = lanes[base + l];
            double s = lanes[base + LANES + l];
            double t = lanes[base + 2 * LANES + l];
            streamSum += lanes[base + 3 * LANES + l];
            if (s > 0) {
                double d = (laneMax - streamMax) * invT;
                double scale = Math.exp(d);
                streamS += s * scale;
                streamT += scale * (t + d * s);
            }
            float at = lanes[base + 4 * LANES + l];
            if (laneMax == streamMax && at >= 0) {
                argmax = Math.min(argmax, start + (int) at + l);
            }
        }
        if (argmax == Integer.MAX_VALUE && streamMax > -Float.MAX_VALUE) {
            // The maximum was carried in from an earlier chunk and not reached here: p already holds a maximum at
            // least this large with its first column, and a merge with a maximum no larger keeps it.
            p.merge((double) streamMax * invT, streamS, streamT, streamSum * invT, col0);
            return;
        }
        if (argmax == Integer.MAX_VALUE) {
            // No lane rose above the -FLT_MAX start: every entry so far is -inf (or -FLT_MAX itself).
            argmax = start;
            for (int i = start; i < start + len; i++) {
                if (a[i] == streamMax) {
                    argmax = i;
                    break;
                }
            }
            if (a[argmax] == Float.NEGATIVE_INFINITY) {
                p.merge(Double.NEGATIVE_INFINITY, 0, 0, streamSum * invT, col0 + argmax - start);
                return;
            }
        }
        p.merge((double) streamMax * invT, streamS, streamT, streamSum * invT, col0 + argmax - start);
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
