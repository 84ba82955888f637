package rlif.kernels;

import static rlif.kernels.VectorMath.F;

import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The CPU backend on {@code jdk.incubator.vector}: each logit is read from memory once; large calls spread rows (and,
 * when there are fewer rows than threads, column spans of a row) over the caller's thread and the helpers of the one
 * {@link KernelPool}, small ones run on the caller's thread alone.
 *
 * <p>A row is cut into chunks of {@value #CHUNK} columns and processed as a two-stage pipeline: one loop computes
 * the exponential sums of chunk {@code k}, which is already in L1, against a maximum that is known to bound it,
 * while it scans chunk {@code k + 1} from memory for that chunk's maximum (an integer max of the bit patterns).
 * Compared with an online softmax that rescales lane by lane, the exponential loop has no compare, blend or branch
 * per element, and the memory stream of the next chunk overlaps the arithmetic of this one. Chunk sums are float32
 * (128 terms per accumulator) and are merged in double ({@link SoftmaxPartial}).
 *
 * <p>The exponential is {@code 2^y} with {@code y = x c - b}, {@code c = log2(e) / T}, one FMA per element, and
 * {@code b} the float just above {@code m c} for the running maximum {@code m}, so {@code y < 0} for every
 * {@code x <= m}. The offset between {@code b} and the exact {@code m c} is taken out again in double, so
 * logsumexp keeps the full precision of {@code m / T} even for logits of 1e4 at temperature 0.3.
 *
 * <p>Direct buffers are bulk-copied one chunk at a time into a thread-local array (the Java 21 target has no final
 * {@code MemorySegment} API to load vectors from native memory); the copy is the one read from memory, and the
 * loops then run on L1. float16 rows are widened the same way.
 */
public final class VectorSignalKernel implements SignalKernel {
    /** Columns per chunk: the chunk being summed and the next one being scanned (2 x 16 KB) stay in a 48 KB L1. */
    static final int CHUNK = 4096;

    private static final int LANES = F.length();
    /** Loops take two vectors per iteration (two independent dependency chains); shorter tails go to double. */
    private static final int BLOCK = 2 * LANES;
    private static final double LN2 = Math.log(2);
    private static final double LOG2E = 1 / LN2;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Below this many logits per call the caller's thread does all the work: handing spans to another thread costs
     * tens of microseconds (more when the cores are shared), about what one thread needs for 2^18 logits at
     * 3-4e9 logits/s; docs/kernels.md has the measured break-even.
     */
    public static final long DEFAULT_FORK_AT_LOGITS = 1L << 19;

    private final int threads;
    private final long forkAtLogits;

    /**
     * A kernel on up to {@code threads} threads (the caller's and helpers from the one {@link KernelPool}); calls
     * with fewer than {@code forkAtLogits} logits stay on the caller's thread ({@code 0}: always spread).
     */
    public VectorSignalKernel(int threads, long forkAtLogits) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (forkAtLogits < 0) {
            throw new IllegalArgumentException("forkAtLogits must be >= 0, got " + forkAtLogits);
        }
        this.threads = threads;
        this.forkAtLogits = forkAtLogits;
    }

    /** A kernel on up to {@code threads} threads that forks only for {@link #DEFAULT_FORK_AT_LOGITS} or more logits. */
    public VectorSignalKernel(int threads) {
        this(threads, DEFAULT_FORK_AT_LOGITS);
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

    /** Whether a call on {@code rows x vocab} logits hands work to helper threads. */
    boolean forks(int rows, int vocab) {
        return threads > 1 && KernelPool.helpers() > 0 && (long) rows * vocab >= forkAtLogits;
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
        boolean fork = forks(rows, vocab);
        // Split rows into column spans only when there are fewer rows than threads; spans are whole blocks.
        int spans = fork ? Math.max(1, Math.min(ceilDiv(threads, rows), vocab / BLOCK)) : 1;
        int spanWidth = ceilDiv(ceilDiv(vocab, spans), BLOCK) * BLOCK;
        SoftmaxPartial[] partials = new SoftmaxPartial[rows * spans];
        if (!fork) {
            for (int u = 0; u < partials.length; u++) {
                partials[u] = span(logits, u / spans, (u % spans) * spanWidth, spanWidth, invT);
            }
        } else {
            // Each thread takes the next span as it finishes one: on a shared or hybrid machine the cores do not run at
            // the same speed, and pre-split halves would leave the faster one idle at the end.
            AtomicInteger nextSpan = new AtomicInteger();
            Runnable worker = () -> {
                for (int u; (u = nextSpan.getAndIncrement()) < partials.length; ) {
                    partials[u] = span(logits, u / spans, (u % spans) * spanWidth, spanWidth, invT);
                }
            };
            KernelPool.run(Math.min(threads, partials.length), worker);
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

    /**
     * Runs the kernel on synthetic rows of {@code vocab} logits (float16 when {@code half}) until its time per call
     * stops improving, at most {@code maxMillis}: the first calls run interpreted or in C1 code, 10 to 100 times slower
     * than what C2 makes of the vector loops, and a caller timing its work should not count them.
     */
    @Override
    public void warmUp(int vocab, boolean half, long maxMillis) {
        // Vector code is only fast once C2 compiles it (interpreted or C1 code boxes every vector: about 1 ms for a
        // row of 1000), and C2 counts calls and loop iterations: rows of the model's width, as many as make 64 K
        // logits per call, reach its thresholds in a few calls even for a small vocabulary.
        int rows = Math.max(1, (1 << 16) / vocab);
        int n = rows * vocab;
        float[] values = new float[n];
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * 3);
        }
        // Direct buffers, as ONNX Runtime's outputs are: code compiled for heap buffers only would be thrown away at
        // the first direct one and rebuilt over thousands of slow calls.
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocateDirect(n * (half ? 2 : 4))
                .order(java.nio.ByteOrder.nativeOrder());
        LogitRows sample;
        if (half) {
            ShortBuffer bits = bytes.asShortBuffer();
            for (int i = 0; i < n; i++) {
                bits.put(i, Float.floatToFloat16(values[i]));
            }
            sample = LogitRows.ofHalf(bits, rows, vocab);
        } else {
            FloatBuffer floats = bytes.asFloatBuffer();
            floats.put(0, values);
            sample = LogitRows.of(floats, rows, vocab);
        }
        SignalBatch out = new SignalBatch(rows);
        long deadline = System.nanoTime() + maxMillis * 1_000_000;
        // C2 compiles a method after some thousands of calls (loops sooner, on their back-edge counts), and until then
        // a call may look stable while it is still interpreted or C1 code: so at least WARM_CALLS calls (or
        // WARM_LOGITS logits), then until the time per call stops improving. Rounds grow to about 1 M logits once a
        // round is fast, so the deadline is checked often while the code is slow.
        int maxCalls = Math.max(1, (1 << 20) / n);
        int calls = 1;
        long done = 0;
        long best = Long.MAX_VALUE;
        int stale = 0;
        while (System.nanoTime() < deadline
                && (stale < 3 || (done * rows < WARM_CALLS && done * n < WARM_LOGITS))) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                compute(sample, 1.0, null, out);
            }
            done += calls;
            long t = (System.nanoTime() - t0) / calls;
            if (t < best * 0.9) {
                best = t;
                stale = 0;
            } else {
                stale++;
            }
            if (t * calls < 1_000_000 && calls < maxCalls) {
                calls = Math.min(maxCalls, calls * 2);
            }
        }
    }

    /** Warm-up: at least this many rows, or {@link #WARM_LOGITS} logits, before the timing may stop it. */
    private static final long WARM_CALLS = 20_000;
    private static final long WARM_LOGITS = 100_000_000;

    /** Signals of columns {@code [from, from + width)} (clipped to the row) of one row. */
    private static SoftmaxPartial span(LogitRows logits, int row, int from, int width, double invT) {
        SoftmaxPartial p = new SoftmaxPartial();
        int to = Math.min(logits.vocab(), from + width);
        if (from >= to) {
            return p;
        }
        Scratch scratch = SCRATCH.get();
        Chunk cur = scratch.a;
        Chunk next = scratch.b;
        long rowStart = (long) row * logits.vocab();
        float c = (float) (invT * LOG2E);
        cur.load(logits, rowStart, from, Math.min(CHUNK, to - from));
        float curMax = cur.max();
        float m = Float.NEGATIVE_INFINITY; // running maximum of the raw logits, exact
        double scale = 1; // 2^-o for the current m, see below
        double o = 0;
        float negB = 0;
        boolean inFloatRange = true;
        for (int col = from; col < to; col += CHUNK) {
            Chunk following = null; // the next chunk of this span, if any
            if (col + CHUNK < to) {
                next.load(logits, rowStart, col + CHUNK, Math.min(CHUNK, to - col - CHUNK));
                following = next;
            }
            int argmax = p.argmax;
            if (curMax > m || argmax < 0) {
                argmax = col + cur.firstIndexOf(curMax);
                if (curMax > m) {
                    m = curMax;
                    if (m != Float.NEGATIVE_INFINITY) {
                        float b = Math.nextUp((float) ((double) m * c));
                        o = (double) m * c - b; // y = (x - m) c + o, exactly, before y is rounded
                        scale = Math.exp(-o * LN2);
                        negB = -b;
                        // Logits beyond about 1e38 T (or +inf) leave float range once scaled: double loop.
                        inFloatRange = Float.isFinite(b) && Double.isFinite(scale);
                    }
                }
            }
            float nextMax;
            if (m == Float.NEGATIVE_INFINITY) {
                // Every entry so far is -inf: nothing to exponentiate, only the first column and the sum to keep.
                nextMax = maxOf(following);
                p.merge(Double.NEGATIVE_INFINITY, 0, 0, cur.sum() * invT, argmax);
            } else {
                double[] sums = scratch.sums;
                int doubleFrom;
                if (inFloatRange) {
                    nextMax = cur.sums(following, c, negB, scratch.lanes, sums);
                    // In z = x / T units the weights are exp(z - m/T) = 2^((x - m) c) = 2^(y - o), and
                    // z - m/T = (y - o) ln 2.
                    double s2 = sums[0];
                    double t2 = sums[1];
                    sums[0] = s2 * scale;
                    sums[1] = LN2 * scale * (t2 - o * s2);
                    doubleFrom = cur.vectorLength;
                } else {
                    nextMax = maxOf(following);
                    sums[0] = 0;
                    sums[1] = 0;
                    sums[2] = 0;
                    doubleFrom = 0;
                }
                cur.addInDouble(doubleFrom, m, invT, sums);
                p.merge(m * invT, sums[0], sums[1], sums[2] * invT, argmax);
            }
            Chunk done = cur;
            cur = next;
            next = done;
            curMax = nextMax;
        }
        if (Double.isNaN(p.sum)) {
            // A NaN logit: the exponential loop clamps it away, so say so here, as the scalar reference does.
            p.s = Double.NaN;
        }
        return p;
    }

    /**
     * Exponential sums of {@code cur[curOff..curOff + len)} into {@code sums} (sum of {@code 2^y}, of
     * {@code 2^y y}, of {@code x}, with {@code y = x c + negB} clamped at {@link VectorMath#EXP2_LOW}), while
     * scanning {@code next[nextOff..nextOff + len)}. {@code len} is a multiple of {@link #BLOCK}.
     *
     * <p>Returns the largest bit pattern of {@code next} as a signed int, one integer max per vector instead of a
     * float compare and blend: when some value is {@code >= +0.0} that pattern is the float maximum (non-negative
     * floats order like their bits, and every negative float's bits are a negative int). When it is negative (all
     * values negative) or a NaN, the caller takes the maximum again with float compares.
     *
     * <p>One loop and two {@code exp2} sites: C2 then compiles it whole to vector code whatever profile it sees
     * first (more call sites ran out of inlining budget and fell back to boxed vectors).
     */
    static int sumsAndNextMaxBits(float[] cur, int curOff, float[] next, int nextOff, int len, float c, float negB,
            float[] lanes, double[] sums) {
        FloatVector vc = FloatVector.broadcast(F, c);
        FloatVector vb = FloatVector.broadcast(F, negB);
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector t0 = s0;
        FloatVector t1 = s0;
        FloatVector sum0 = s0;
        FloatVector sum1 = s0;
        IntVector max0 = IntVector.broadcast(VectorMath.I, Integer.MIN_VALUE);
        IntVector max1 = max0;
        for (int i = 0; i < len; i += BLOCK) {
            max0 = max0.lanewise(VectorOperators.MAX, FloatVector.fromArray(F, next, nextOff + i).reinterpretAsInts());
            max1 = max1.lanewise(VectorOperators.MAX,
                    FloatVector.fromArray(F, next, nextOff + i + LANES).reinterpretAsInts());
            FloatVector x0 = FloatVector.fromArray(F, cur, curOff + i);
            FloatVector x1 = FloatVector.fromArray(F, cur, curOff + i + LANES);
            sum0 = sum0.add(x0);
            sum1 = sum1.add(x1);
            FloatVector y0 = VectorMath.clampLow(x0.fma(vc, vb));
            FloatVector y1 = VectorMath.clampLow(x1.fma(vc, vb));
            FloatVector e0 = VectorMath.exp2(y0);
            FloatVector e1 = VectorMath.exp2(y1);
            s0 = s0.add(e0);
            s1 = s1.add(e1);
            t0 = e0.fma(y0, t0);
            t1 = e1.fma(y1, t1);
        }
        // Lanes are added in a fixed order in double: reduceLanes(ADD) adds in one order when compiled and in
        // another when interpreted, and results must not depend on how warm the JIT is.
        s0.add(s1).intoArray(lanes, 0);
        t0.add(t1).intoArray(lanes, LANES);
        sum0.add(sum1).intoArray(lanes, 2 * LANES);
        double s = 0;
        double t = 0;
        double sum = 0;
        for (int l = 0; l < LANES; l++) {
            s += lanes[l];
            t += lanes[LANES + l];
            sum += lanes[2 * LANES + l];
        }
        sums[0] = s;
        sums[1] = t;
        sums[2] = sum;
        return max0.lanewise(VectorOperators.MAX, max1).reduceLanes(VectorOperators.MAX);
    }

    /** The maximum of {@code a[off..off + len)}, {@code len} a multiple of {@link #BLOCK}; -inf when empty. */
    static float blockMax(float[] a, int off, int len) {
        FloatVector max0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        FloatVector max1 = max0;
        for (int i = 0; i < len; i += BLOCK) {
            FloatVector x0 = FloatVector.fromArray(F, a, off + i);
            FloatVector x1 = FloatVector.fromArray(F, a, off + i + LANES);
            max0 = max0.blend(x0, max0.compare(VectorOperators.LT, x0));
            max1 = max1.blend(x1, max1.compare(VectorOperators.LT, x1));
        }
        return max0.blend(max1, max0.compare(VectorOperators.LT, max1)).reduceLanes(VectorOperators.MAX);
    }

    /** One chunk of a row: where its columns are ({@code data[offset..offset + length)}) and a buffer to stage them. */
    private static final class Chunk {
        final float[] staging = new float[CHUNK];
        final short[] halfStaging = new short[CHUNK];
        float[] data;
        int offset;
        int length;
        /** The vectorised prefix: whole blocks; the rest (under {@link #BLOCK} columns) is done in double. */
        int vectorLength;

        /** Points at columns {@code [col, col + len)} of the row starting at {@code rowStart}, copying if needed. */
        void load(LogitRows logits, long rowStart, int col, int len) {
            int index = (int) (rowStart + col);
            switch (logits) {
                case LogitRows.F32Array a -> {
                    data = a.data();
                    offset = a.offset() + index;
                }
                case LogitRows.F32Buffer b -> {
                    FloatBuffer buf = b.data();
                    if (buf.hasArray()) {
                        data = buf.array();
                        offset = buf.arrayOffset() + index;
                    } else {
                        buf.get(index, staging, 0, len);
                        data = staging;
                        offset = 0;
                    }
                }
                case LogitRows.F16Buffer h -> {
                    widenHalf(h.data(), index, len);
                    data = staging;
                    offset = 0;
                }
            }
            length = len;
            vectorLength = len - len % BLOCK;
        }

        private void widenHalf(ShortBuffer buf, int index, int len) {
            short[] src;
            int srcOffset;
            if (buf.hasArray()) {
                src = buf.array();
                srcOffset = buf.arrayOffset() + index;
            } else {
                src = halfStaging;
                srcOffset = 0;
                buf.get(index, src, 0, len);
            }
            int i = 0;
            for (int upper = len - LANES; i <= upper; i += LANES) {
                VectorMath.halfToFloat(src, srcOffset + i, staging, i);
            }
            for (; i < len; i++) {
                staging[i] = Float.float16ToFloat(src[srcOffset + i]);
            }
        }

        /** The maximum, ignoring NaN (as the vector compare does). */
        float max() {
            return Math.max(blockMax(data, offset, vectorLength), tailMax(vectorLength));
        }

        float tailMax(int from) {
            float max = Float.NEGATIVE_INFINITY;
            for (int i = from; i < length; i++) {
                float x = data[offset + i];
                if (x > max) {
                    max = x;
                }
            }
            return max;
        }

        /** Adds columns {@code [from, length)} in double to {@code sums}: s, t in z units against {@code m}; sum x. */
        void addInDouble(int from, float m, double invT, double[] sums) {
            for (int i = from; i < length; i++) {
                double x = data[offset + i];
                sums[2] += x;
                if (x != Double.NEGATIVE_INFINITY) {
                    double d = (x - m) * invT;
                    double e = Math.exp(d);
                    sums[0] += e;
                    sums[1] += e * d;
                }
            }
        }

        double sum() {
            double sum = 0;
            for (int i = 0; i < length; i++) {
                sum += data[offset + i];
            }
            return sum;
        }

        /** The first column (from 0) holding {@code value}; 0 when none does (a chunk of NaN). */
        int firstIndexOf(float value) {
            FloatVector v = FloatVector.broadcast(F, value);
            int i = 0;
            for (int upper = length - LANES; i <= upper; i += LANES) {
                if (FloatVector.fromArray(F, data, offset + i).compare(VectorOperators.EQ, v).anyTrue()) {
                    break;
                }
            }
            while (i < length && data[offset + i] != value) {
                i++;
            }
            return i < length ? i : 0;
        }

        /**
         * The exponential sums of this chunk's vector part (see {@link #sumsAndNextMaxBits}), returning the maximum of
         * {@code next} (or -inf without one). When {@code next} is shorter (the row's last chunk) its maximum is
         * taken in a loop of its own and this chunk is paired with itself.
         */
        float sums(Chunk next, float c, float negB, float[] lanes, double[] sums) {
            if (next != null && next.vectorLength == vectorLength) {
                int bits = sumsAndNextMaxBits(data, offset, next.data, next.offset, vectorLength, c, negB, lanes, sums);
                float nextMax = Float.intBitsToFloat(bits);
                if (bits < 0 || Float.isNaN(nextMax)) {
                    // All negative, or a NaN: the integer order does not hold; a second scan, from L1 now.
                    return next.max();
                }
                return Math.max(nextMax, next.tailMax(next.vectorLength));
            }
            sumsAndNextMaxBits(data, offset, data, offset, vectorLength, c, negB, lanes, sums);
            return maxOf(next);
        }
    }

    /** The maximum of {@code chunk}, or -inf when there is none (the end of a span). */
    private static float maxOf(Chunk chunk) {
        return chunk == null ? Float.NEGATIVE_INFINITY : chunk.max();
    }

    /** Per-thread buffers: two chunks that swap roles, and the sums handed back from the vector loop. */
    private static final class Scratch {
        final Chunk a = new Chunk();
        final Chunk b = new Chunk();
        final double[] sums = new double[3];
        final float[] lanes = new float[3 * LANES];
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
