package rlif.evaluator.rollout;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.util.List;
import java.util.Map;
import rlif.evaluator.sampling.TokenSampler;
import rlif.kernels.SignalBatch;
import rlif.kernels.SignalKernel;
import rlif.kernels.SignalKernels;
import rlif.models.BadInputException;
import rlif.models.dir.DecoderIo;
import rlif.models.dir.ModelConfig;
import rlif.models.dir.ModelDirectory;
import rlif.models.tensor.DType;

/**
 * Generates rollouts with one ONNX Runtime session on a decoder from a {@link ModelDirectory}: left-padded
 * batches, the key/value cache carried between steps, per-row seeded sampling, and every signal of
 * docs/signals.md computed per decode step by a {@link SignalKernel}. Not thread-safe: one
 * {@code generate} at a time.
 */
public final class OnnxRolloutEngine implements RolloutEngine {
    /**
     * Longest time {@link #warmUp} gives the signal kernel's JIT warm-up: vector code is slow until C2 compiles it,
     * which took 1.4 s (vocabulary 1000) to 2.2 s (32000) of warm-up calls at load average 7 on 2 cores; a JVM that
     * compiled it already is done in a few tens of milliseconds.
     */
    static final long KERNEL_WARM_UP_MILLIS = 5000;
    /**
     * Decode steps {@link #warmUp} runs so that the engine's own per-step Java code (ids, mask, cache hand-over,
     * token choice) is compiled by C2 before timing starts. A method called once a step reaches C2 after about 10^4
     * calls (HotSpot's tier-4 thresholds); before that it runs C1's profiling code. After those steps the warm-up
     * also waits until the JIT has been idle for {@link #JIT_IDLE_MILLIS} ms ({@link JitActivity}), since C2 is still
     * compiling them then. On the tiny GPT-2 fixture (a step of about 0.07 ms at batch 1), 512 warm-up steps left a
     * 128-token timed call at 13,700-14,400 tokens/s when quiet and 5,500-13,500 beside a busy loop, which took the
     * compiler's core (docs/rollout-engine.md).
     */
    static final int DECODE_WARM_UP_STEPS = 16384;
    static final long JIT_IDLE_MILLIS = 100;
    /**
     * Time bounds of the decode warm-up: {@link #SHORT_STEP_WARM_UP_MILLIS} while its decode steps average under
     * {@link #SHORT_STEP_NANOS}, where the Java side is a large share of a step, else {@link #DECODE_WARM_UP_MILLIS},
     * so that large models, whose steps are ONNX Runtime's time anyway, stop after a few steps.
     */
    static final long DECODE_WARM_UP_MILLIS = 300;
    static final long SHORT_STEP_WARM_UP_MILLIS = 3000;
    static final long SHORT_STEP_NANOS = 1_000_000;
    private static final int WARM_UP_TOKENS = 16;
    /**
     * Decoders whose weights (file and external data) are smaller than this run on one ONNX Runtime intra-op thread
     * unless {@link EngineOptions#intraOpThreads} says otherwise: their operators are too small to split, so a second
     * thread only adds a hand-off to every one of them. Measured on the two ORT-GenAI fixtures (docs/rollout-engine.md):
     * GPT-2 (0.6 MB of float32) ran faster on one thread at batch 1 and 16, the llama one (2.2 MB of float16, a
     * 32000-wide head) on two. Where between them the crossover lies is not measured.
     */
    static final long ONE_THREAD_BELOW_BYTES = 1L << 20;

    private final ModelDirectory model;
    private final ModelConfig config;
    private final EngineOptions options;
    private final SignalKernel kernel;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final int intraOpThreads;
    private final StatsCounter stats = new StatsCounter();
    private final DirectBuffers buffers = new DirectBuffers();
    private Map<String, OnnxTensor> constantInputs = Map.of();
    private final TokenSampler sampler;
    private SignalBatch signals = new SignalBatch(1);

    /** CPU, default options, the {@code auto} signal kernel. */
    public OnnxRolloutEngine(ModelDirectory model) {
        this(model, EngineOptions.defaults(), SignalKernels.create("auto"));
    }

    /**
     * Opens a session on {@code model}'s decoder. {@link Device#CUDA} without a CUDA-enabled ONNX Runtime
     * is bad input. The engine closes {@code kernel} when it is closed.
     */
    public OnnxRolloutEngine(ModelDirectory model, EngineOptions options, SignalKernel kernel) {
        this.model = model;
        this.config = model.config();
        this.options = options;
        this.kernel = kernel;
        this.env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        this.intraOpThreads = intraOpThreads(model.config(), options);
        this.session = openSession(env, model, options.withThreads(intraOpThreads));
        this.sampler = new TokenSampler(config.vocab());
    }

    /** The intra-op threads the decoder's session gets: the options' count, else one for a tiny decoder, else ORT's default (0). */
    public static int intraOpThreads(ModelConfig config, EngineOptions options) {
        if (options.intraOpThreads() > 0) {
            return options.intraOpThreads();
        }
        return config.totalBytes() < ONE_THREAD_BELOW_BYTES ? 1 : 0;
    }

    private static OrtSession openSession(OrtEnvironment env, ModelDirectory model, EngineOptions options) {
        try (OrtSession.SessionOptions so = OrtSessions.options(options)) {
            return env.createSession(model.config().decoderFile().toString(), so);
        } catch (OrtException e) {
            throw new BadInputException("ONNX Runtime cannot load " + model.config().decoderFile() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public List<Rollout> generate(List<RolloutRequest> batch, SamplingParams params) {
        if (batch.isEmpty()) {
            return List.of();
        }
        RolloutRequests.check(batch, params, config);
        long start = System.nanoTime();
        try (DecodeRun run = new DecodeRun(this, batch, params)) {
            return run.execute();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed while decoding with "
                    + config.decoderFile() + ": " + e.getMessage(), e);
        } finally {
            stats.totalNanos += System.nanoTime() - start;
        }
    }

    @Override
    public int vocabSize() {
        return config.vocab();
    }

    /**
     * Compiles the signal kernel's loops for this vocabulary (at most {@value #KERNEL_WARM_UP_MILLIS} ms) and runs
     * short greedy batches of {@code rows} rows (ONNX Runtime's first prefill and decode runs allocate their buffers;
     * then {@value #DECODE_WARM_UP_STEPS} decode steps and an idle JIT, within {@value #SHORT_STEP_WARM_UP_MILLIS}
     * ms, or {@value #DECODE_WARM_UP_MILLIS} ms when steps are long, compile the engine's per-step code), outside
     * {@link #stats()}.
     */
    @Override
    public void warmUp(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        kernel.warmUp(config.vocab(), config.logitsType() == DType.F16, KERNEL_WARM_UP_MILLIS);
        RolloutStats before = stats.snapshot();
        int token = config.paddingId();
        List<RolloutRequest> batch = new java.util.ArrayList<>();
        for (int r = 0; r < rows; r++) {
            batch.add(new RolloutRequest(new int[] {token, token}, r));
        }
        long start = System.nanoTime();
        generate(batch, SamplingParams.greedy(2));
        // A call of WARM_UP_TOKENS costs at most that many times the first call's per-token time (which includes a
        // prefill); stop before one that would end past the deadline.
        long nextCall = (System.nanoTime() - start) / 2 * WARM_UP_TOKENS;
        JitActivity jit = new JitActivity();
        for (int call = 1; ; call++) {
            long ran = stats.decodeSteps - before.decodeSteps();
            boolean compiled = ran >= DECODE_WARM_UP_STEPS && jit.idleFor(JIT_IDLE_MILLIS);
            long deadline = start + warmUpMillis(ran, stats.decodeNanos - before.decodeNanos()) * 1_000_000;
            if (compiled || System.nanoTime() + nextCall > deadline) {
                break;
            }
            // Calls 1, 2, 4, 8, ... allocate their buffers afresh, so that the growth path is in the profile C2
            // compiles from (when the buffers were dropped for the collector rather than freed, doing it on every
            // call cost 30-40 MB more peak RSS on the GPT-2 fixture at batch 16).
            if (Integer.bitCount(call) == 1) {
                buffers.releaseAll();
            }
            long t = System.nanoTime();
            generate(batch, SamplingParams.greedy(WARM_UP_TOKENS));
            nextCall = System.nanoTime() - t;
        }
        stats.restore(before);
    }

    /** How long the decode warm-up may run, given the decode steps it has run so far and their time. */
    static long warmUpMillis(long steps, long nanos) {
        return steps > 0 && nanos / steps < SHORT_STEP_NANOS ? SHORT_STEP_WARM_UP_MILLIS : DECODE_WARM_UP_MILLIS;
    }

    @Override
    public void setConstantInputs(Map<String, OnnxTensor> inputs) {
        this.constantInputs = Map.copyOf(inputs);
    }

    Map<String, OnnxTensor> constantInputs() {
        return constantInputs;
    }

    public ModelConfig config() {
        return config;
    }

    public EngineOptions options() {
        return options;
    }

    /** ONNX Runtime intra-op threads of the decoder's session ({@code 0}: ONNX Runtime's default, one per core). */
    public int intraOpThreads() {
        return intraOpThreads;
    }

    /** The signal kernel backend in use. */
    public String kernelName() {
        return kernel.name();
    }

    @Override
    public RolloutStats stats() {
        return stats.snapshot();
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX Runtime session failed", e);
        } finally {
            kernel.close();
        }
    }

    // ---- what DecodeRun needs ----

    OrtEnvironment env() {
        return env;
    }

    OrtSession session() {
        return session;
    }

    DecoderIo io() {
        return model.io();
    }

    SignalKernel kernel() {
        return kernel;
    }

    TokenSampler sampler() {
        return sampler;
    }

    /** The reusable per-row signal outputs, grown to hold {@code rows}. */
    SignalBatch signalBatch(int rows) {
        if (signals.capacity() < rows) {
            signals = new SignalBatch(rows);
        }
        return signals;
    }

    DirectBuffers buffers() {
        return buffers;
    }

    StatsCounter counter() {
        return stats;
    }

    static OnnxJavaType javaType(DType t) {
        return switch (t) {
            case F32 -> OnnxJavaType.FLOAT;
            case F16 -> OnnxJavaType.FLOAT16;
            case I32 -> OnnxJavaType.INT32;
            case I64 -> OnnxJavaType.INT64;
            default -> throw new IllegalArgumentException("no ONNX Runtime type for " + t);
        };
    }

    /** Mutable totals behind {@link RolloutStats}. */
    static final class StatsCounter {
        long prefillRuns;
        long decodeSteps;
        long rowSteps;
        long tokens;
        long compactions;
        long prefillNanos;
        long decodeNanos;
        long decodeOrtNanos;
        long decodeSignalNanos;
        long totalNanos;

        RolloutStats snapshot() {
            return new RolloutStats(prefillRuns, decodeSteps, rowSteps, tokens, compactions, prefillNanos,
                    decodeNanos, decodeOrtNanos, decodeSignalNanos, totalNanos);
        }

        /** Sets every total back to {@code s} (what warming up added is forgotten). */
        void restore(RolloutStats s) {
            prefillRuns = s.prefillRuns();
            decodeSteps = s.decodeSteps();
            rowSteps = s.rowSteps();
            tokens = s.tokens();
            compactions = s.compactions();
            prefillNanos = s.prefillNanos();
            decodeNanos = s.decodeNanos();
            decodeOrtNanos = s.decodeOrtNanos();
            decodeSignalNanos = s.decodeSignalNanos();
            totalNanos = s.totalNanos();
        }
    }
}
