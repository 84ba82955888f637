package rlif.kernels;

import static rlif.kernels.VectorMath.F;
import static rlif.kernels.VectorMath.I;

import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
    /** Four vectors per block: one max check amortised over four loads. */
    private static final int BLOCK = 4 * LANES;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[CHUNK]);
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
        // Per lane, the start of the block where its maximum last rose: the argmax is searched there at the end.
        IntVector maxBlock = IntVector.broadcast(I, start);
        int end = start + len;
        for (int i = start; i < end; i += BLOCK) {
            FloatVector x0 = FloatVector.fromArray(F, a, i);
            FloatVector x1 = FloatVector.fromArray(F, a, i + LANES);
            FloatVector x2 = FloatVector.fromArray(F, a, i + 2 * LANES);
            FloatVector x3 = FloatVector.fromArray(F, a, i + 3 * LANES);
            FloatVector blockMax = VectorMath.max(VectorMath.max(x0, x1), VectorMath.max(x2, x3));
            VectorMask<Float> rises = blockMax.compare(VectorOperators.GT, max);
            if (rises.anyTrue()) {
                // Rare after the first blocks: rescale the rising lanes' sums to the new maximum.
                FloatVector newMax = max.blend(blockMax, rises);
                FloatVector d = VectorMath.clampLow(max.sub(newMax).mul(vInvT));
                FloatVector scale = VectorMath.exp(d);
                t = scale.mul(d.fma(s, t));
                s = s.mul(scale);
                max = newMax;
                maxBlock = maxBlock.blend(i, rises.cast(I));
            }
            sum = sum.add(x0.add(x1)).add(x2.add(x3));
            FloatVector d0 = VectorMath.clampLow(x0.sub(max).mul(vInvT));
            FloatVector d1 = VectorMath.clampLow(x1.sub(max).mul(vInvT));
            FloatVector d2 = VectorMath.clampLow(x2.sub(max).mul(vInvT));
            FloatVector d3 = VectorMath.clampLow(x3.sub(max).mul(vInvT));
            FloatVector e0 = VectorMath.exp(d0);
            FloatVector e1 = VectorMath.exp(d1);
            FloatVector e2 = VectorMath.exp(d2);
            FloatVector e3 = VectorMath.exp(d3);
            s = s.add(e0.add(e1)).add(e2.add(e3));
            t = e0.fma(d0, t);
            t = e1.fma(d1, t);
            t = e2.fma(d2, t);
            t = e3.fma(d3, t);
        }
        reduceLanes(a, start, len, col0, invT, max, s, t, sum, maxBlock, p);
    }

    /** Merges the lanes of one chunk into {@code p}: the lane states are rescaled to the chunk maximum. */
    private static void reduceLanes(float[] a, int start, int len, int col0, double invT, FloatVector max,
            FloatVector s, FloatVector t, FloatVector sum, IntVector maxBlock, SoftmaxPartial p) {
        float chunkMax = max.reduceLanes(VectorOperators.MAX);
        FloatVector d = VectorMath.clampLow(max.sub(chunkMax).mul((float) invT));
        FloatVector scale = VectorMath.exp(d);
        float[] sLanes = s.mul(scale).toArray();
        float[] tLanes = scale.mul(d.fma(s, t)).toArray();
        float[] sumLanes = sum.toArray();
        float[] maxLanes = max.toArray();
        int[] blockLanes = maxBlock.toArray();
        double chunkS = 0;
        double chunkT = 0;
        double chunkSum = 0;
        int argmax = Integer.MAX_VALUE;
        for (int l = 0; l < LANES; l++) {
            chunkS += sLanes[l];
            chunkT += tLanes[l];
            chunkSum += sumLanes[l];
            if (maxLanes[l] == chunkMax) {
                for (int k = 0; k < 4; k++) {
                    int i = blockLanes[l] + k * LANES + l;
                    if (a[i] == chunkMax) {
                        argmax = Math.min(argmax, i);
                        break;
                    }
                }
            }
        }
        if (argmax == Integer.MAX_VALUE) {
            // No lane ever rose above the -FLT_MAX start: the chunk is masked, or its maximum is -FLT_MAX itself.
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
