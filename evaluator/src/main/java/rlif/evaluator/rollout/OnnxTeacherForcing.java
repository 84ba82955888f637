package rlif.evaluator.rollout;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.util.List;
import java.util.OptionalInt;
import rlif.models.BadInputException;
import rlif.models.dir.DecoderIo;
import rlif.models.dir.ModelConfig;
import rlif.models.dir.ModelDirectory;
import rlif.models.dir.ScoringDecoder;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * Scores given completions teacher-forced: prompt plus completion go through the scoring variant of the
 * decoder ({@link ScoringDecoder}), which reduces the logits to per-position signals inside ONNX Runtime, so
 * only {@code [rows, positions]} values come back to Java. No sampling; the signals are those of
 * docs/signals.md at the given temperature, exactly as generation records them.
 *
 * <p>Long sequences run in chunks of columns through the KV cache, so one run's {@code [rows, columns, vocab]}
 * intermediates stay within {@link EngineOptions#prefillLogitsBudget()}. Some exported decoders refuse
 * several new tokens on top of a non-empty cache (the ORT-GenAI llama export's mask subgraph); the engine
 * finds out with one small probe run when it opens and then feeds whole sequences, in groups of rows within
 * the same budget, instead. Not thread-safe: one {@code score} at a time.
 */
public final class OnnxTeacherForcing implements AutoCloseable {
    private final ModelConfig config;
    private final DecoderIo io;
    private final EngineOptions options;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final DirectBuffers buffers = new DirectBuffers();
    private final boolean chunked;
    /** Rows are scored in groups of one total length (ORT-GenAI's GroupQueryAttention exports; EqualLengthBatches). */
    private final boolean rowsNeedEqualLengths;
    private final Counter counter = new Counter();

    /** Opens a session on the scoring variant of {@code model}'s decoder. */
    public OnnxTeacherForcing(ModelDirectory model, EngineOptions options) {
        this.config = model.config();
        this.io = model.io();
        this.options = options;
        this.rowsNeedEqualLengths = model.onnx().rowsNeedEqualLengths();
        this.env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        byte[] graph = ScoringDecoder.of(model).toByteArray();
        try (OrtSession.SessionOptions so = OrtSessions.options(options)) {
            so.addConfigEntry("session.model_external_initializers_file_folder_path",
                    ScoringDecoder.externalDataFolder(model).toString());
            this.session = env.createSession(graph, so);
        } catch (OrtException e) {
            throw new BadInputException("ONNX Runtime cannot load the scoring variant of " + config.decoderFile() + ": "
                    + e.getMessage(), e);
        }
        try {
            this.chunked = ForcedRun.acceptsChunks(this);
            counter.clear(); // the probe is not scoring work
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * One rollout per request, in request order: the completion's ids with their per-token signals at
     * {@code temperature}; the finish reason is {@code eos} when the completion ends with an eos id,
     * {@code length} otherwise, and {@code non_finite} when a position's logits were not finite.
     */
    public List<Rollout> score(List<ForcedRequest> batch, double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("signal temperature must be positive and finite, got " + temperature);
        }
        if (batch.isEmpty()) {
            return List.of();
        }
        OptionalInt context = config.contextLength();
        for (int i = 0; i < batch.size(); i++) {
            ForcedRequest r = batch.get(i);
            ModelTokenizer.requireEmbeddable(r.promptIds(), config.vocab(), "prompt " + i + " of the batch");
            ModelTokenizer.requireEmbeddable(r.completionIds(), config.vocab(), "completion " + i + " of the batch");
            if (context.isPresent() && r.length() - 1L > context.getAsInt()) {
                throw new BadInputException("prompt plus completion " + i + " of the batch have " + r.length()
                        + " tokens, over the model's context length of " + context.getAsInt());
            }
        }
        return rowsNeedEqualLengths
                ? EqualLengthBatches.run(batch, ForcedRequest::length, b -> run(b, temperature))
                : run(batch, temperature);
    }

    private List<Rollout> run(List<ForcedRequest> batch, double temperature) {
        long start = System.nanoTime();
        try {
            return new ForcedRun(this, batch, temperature).execute();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed while scoring with the scoring variant of "
                    + config.decoderFile() + ": " + e.getMessage(), e);
        } finally {
            counter.totalNanos += System.nanoTime() - start;
        }
    }

    /** Whether long sequences go through the cache in chunks (false: whole sequences, grouped by rows). */
    public boolean chunksThroughCache() {
        return chunked;
    }

    public ModelConfig config() {
        return config;
    }

    /** Where time went, summed over every {@code score} so far. */
    public ForcingStats stats() {
        return new ForcingStats(counter.runs, counter.positions, counter.tokens, counter.ortNanos, counter.totalNanos);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX Runtime session failed", e);
        }
    }

    // ---- what ForcedRun needs ----

    OrtEnvironment env() {
        return env;
    }

    OrtSession session() {
        return session;
    }

    DecoderIo io() {
        return io;
    }

    EngineOptions options() {
        return options;
    }

    DirectBuffers buffers() {
        return buffers;
    }

    Counter counter() {
        return counter;
    }

    /** Mutable totals behind {@link ForcingStats}. */
    static final class Counter {
        long runs;
        long positions;
        long tokens;
        long ortNanos;
        long totalNanos;

        void clear() {
            runs = positions = tokens = ortNanos = totalNanos = 0;
        }
    }
}
