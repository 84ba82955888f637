package rlif.evaluator.rollout;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import rlif.models.dir.DecoderIo;
import rlif.models.dir.ModelConfig;
import rlif.models.dir.ScoringDecoder;
import rlif.models.graph.GraphSignals;
import rlif.models.tensor.DType;

/**
 * One {@code score} call of {@link OnnxTeacherForcing}: the batch laid out right-padded, fed in runs, and
 * the per-token signals of each completion picked out of the per-position outputs.
 *
 * <p>Row {@code r} holds prompt then completion, {@code n_r} tokens; its first {@code n_r - 1} tokens are fed
 * (column {@code c} at position id {@code c}) with the token after each as the target, so column
 * {@code c} reports the signals of token {@code c + 1}: completion token {@code i} is column
 * {@code prompt_r - 1 + i}. Columns past a row's end are padding (mask 0); they come after every real
 * column of the row, so causal attention never lets a real position see them.
 */
final class ForcedRun {
    private static final int SIGNALS = 3;

    private final OnnxTeacherForcing engine;
    private final OnnxTeacherForcing.Counter stats;
    private final DecoderIo io;
    private final ModelConfig config;
    private final List<ForcedRequest> requests;
    private final double temperature;
    private final boolean wideIds;
    private final Set<String> outputs;
    private final int[] fed;
    private final int width;
    /** Per request: log-probs, entropies and self-certainties of its completion tokens. */
    private final double[][][] signals;
    private final boolean[] nonFinite;
    private OrtSession.RunOptions runOptions;

    ForcedRun(OnnxTeacherForcing engine, List<ForcedRequest> requests, double temperature) {
        this.engine = engine;
        this.stats = engine.counter();
        this.io = engine.io();
        this.config = engine.config();
        this.requests = requests;
        this.temperature = temperature;
        this.wideIds = config.inputIdType() == DType.I64;
        this.outputs = new LinkedHashSet<>(io.presentOutputs());
        outputs.addAll(GraphSignals.OUTPUTS);
        int n = requests.size();
        fed = new int[n];
        signals = new double[n][SIGNALS][];
        nonFinite = new boolean[n];
        int w = 0;
        for (int q = 0; q < n; q++) {
            fed[q] = requests.get(q).length() - 1;
            w = Math.max(w, fed[q]);
            for (int s = 0; s < SIGNALS; s++) {
                signals[q][s] = new double[requests.get(q).completionIds().length];
            }
        }
        width = w;
    }

    /**
     * Whether the decoder takes several new tokens on top of a non-empty cache: two runs of two columns over
     * two rows of padding ids. A decoder that refuses fails the second run inside ONNX Runtime. Two rows, because
     * ONNX Runtime's {@code GroupQueryAttention} (rlif's quantized imports) takes such runs for one row only.
     */
    static boolean acceptsChunks(OnnxTeacherForcing engine) {
        int pad = engine.config().paddingId();
        ForcedRequest probe = new ForcedRequest(new int[] {pad, pad, pad, pad}, new int[] {pad});
        try (OrtSession.RunOptions quiet = new OrtSession.RunOptions()) {
            quiet.setLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL); // a refusal is an answer, not an error to log
            ForcedRun run = new ForcedRun(engine, List.of(probe, probe), 1.0);
            run.runOptions = quiet;
            run.runChunked(2);
            return true;
        } catch (OrtException e) {
            return false;
        }
    }

    List<Rollout> execute() throws OrtException {
        if (engine.chunksThroughCache()) {
            long perColumn = (long) requests.size() * config.vocab() * Float.BYTES;
            runChunked((int) Math.max(1, Math.min(width, engine.options().prefillLogitsBudget() / perColumn)));
        } else {
            runWholeRows();
        }
        List<Rollout> out = new ArrayList<>(requests.size());
        for (int q = 0; q < requests.size(); q++) {
            ForcedRequest r = requests.get(q);
            int[] ids = r.completionIds();
            FinishReason finish = nonFinite[q] ? FinishReason.NON_FINITE
                    : config.eosIds().contains(ids[ids.length - 1]) ? FinishReason.EOS : FinishReason.LENGTH;
            out.add(new Rollout(r.promptIds().clone(), ids.clone(), finish, signals[q][0], signals[q][1], signals[q][2]));
            stats.tokens += ids.length;
        }
        return out;
    }

    /** Every row at once, {@code chunk} columns per run, each run's keys and values becoming the next run's past. */
    private void runChunked(int chunk) throws OrtException {
        int n = requests.size();
        KvCache cache = emptyCache(n);
        try {
            for (int c0 = 0; c0 < width; c0 += chunk) {
                KvCache next = run(0, n, c0, Math.min(chunk, width - c0), cache);
                cache.close();
                cache = next;
            }
        } finally {
            cache.close();
        }
    }

    /** Every column at once, in groups of rows whose {@code [rows, columns, vocab]} stays within the budget. */
    private void runWholeRows() throws OrtException {
        int n = requests.size();
        long perRow = (long) width * config.vocab() * Float.BYTES;
        int group = (int) Math.max(1, Math.min(n, engine.options().prefillLogitsBudget() / perRow));
        for (int r0 = 0; r0 < n; r0 += group) {
            int count = Math.min(group, n - r0);
            try (KvCache none = emptyCache(count)) {
                run(r0, count, 0, width, none).close();
            }
        }
    }

    private KvCache emptyCache(int rows) throws OrtException {
        return KvCache.empty(engine.env(), io, rows, config.kvHeads(), config.headSize(),
                OnnxRolloutEngine.javaType(config.kvType()));
    }

    /**
     * One run of rows {@code [r0, r0 + count)} over columns {@code [c0, c0 + k)} after {@code past}, which holds
     * columns {@code [0, c0)}; stores the signals of the completion tokens those columns predict and returns
     * the extended cache (the caller's to close).
     */
    private KvCache run(int r0, int count, int c0, int k, KvCache past) throws OrtException {
        int idBytes = wideIds ? 8 : 4;
        DirectBuffers buffers = engine.buffers();
        ByteBuffer ids = buffers.get(DirectBuffers.Slot.INPUT_IDS, (long) count * k * idBytes);
        ByteBuffer targets = buffers.get(DirectBuffers.Slot.TARGET_IDS, (long) count * k * idBytes);
        ByteBuffer positions = buffers.get(DirectBuffers.Slot.POSITION_IDS, (long) count * k * idBytes);
        ByteBuffer mask = buffers.get(DirectBuffers.Slot.ATTENTION_MASK, (long) count * (c0 + k) * idBytes);
        int pad = config.paddingId();
        for (int i = 0; i < count; i++) {
            ForcedRequest r = requests.get(r0 + i);
            int real = fed[r0 + i];
            for (int c = c0; c < c0 + k; c++) {
                put(ids, c < real ? r.token(c) : pad);
                put(targets, c < real ? r.token(c + 1) : 0);
                put(positions, c);
            }
            for (int c = 0; c < c0 + k; c++) {
                put(mask, c < real ? 1 : 0);
            }
        }
        ids.flip();
        targets.flip();
        positions.flip();
        mask.flip();
        OnnxJavaType idType = OnnxRolloutEngine.javaType(config.inputIdType());
        long[] shape = {count, k};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        List<OnnxTensor> made = new ArrayList<>();
        try {
            inputs.put(io.inputIds(), track(made, OnnxTensor.createTensor(engine.env(), ids, shape, idType)));
            inputs.put(ScoringDecoder.TARGET_IDS, track(made, OnnxTensor.createTensor(engine.env(), targets, shape, idType)));
            inputs.put(io.attentionMask(), track(made,
                    OnnxTensor.createTensor(engine.env(), mask, new long[] {count, c0 + k}, idType)));
            if (io.positionIds().isPresent()) {
                inputs.put(io.positionIds().get(), track(made, OnnxTensor.createTensor(engine.env(), positions, shape, idType)));
            }
            if (io.useCacheBranch().isPresent()) {
                inputs.put(io.useCacheBranch().get(), track(made, OnnxTensor.createTensor(engine.env(), new boolean[] {c0 > 0})));
            }
            inputs.put(ScoringDecoder.TEMPERATURE, track(made, OnnxTensor.createTensor(engine.env(), temperature)));
            int start = firstWanted(r0, count, c0, k);
            inputs.put(ScoringDecoder.SIGNAL_START, track(made, OnnxTensor.createTensor(engine.env(), new long[] {start})));
            for (int i = 0; i < io.pastInputs().size(); i++) {
                inputs.put(io.pastInputs().get(i), past.tensor(i));
            }
            long t0 = System.nanoTime();
            OrtSession.Result result = runOptions == null ? engine.session().run(inputs, outputs)
                    : engine.session().run(inputs, outputs, runOptions);
            stats.ortNanos += System.nanoTime() - t0;
            stats.runs++;
            stats.positions += (long) count * k;
            try {
                keep(result, r0, count, c0 + start, k - start);
            } catch (RuntimeException e) {
                result.close();
                throw e;
            }
            return KvCache.adopt(result, io.presentOutputs(), io.cacheLayout());
        } finally {
            made.forEach(OnnxTensor::close);
        }
    }

    /**
     * The first column of the run (relative to {@code c0}) that predicts a completion token of some row: the
     * columns before it only read prompts, so the graph skips their reduction. At most {@code k - 1}: a run
     * reduces at least one column, since ONNX Runtime's reductions refuse empty inputs.
     */
    private int firstWanted(int r0, int count, int c0, int k) {
        int first = k - 1;
        for (int i = 0; i < count; i++) {
            first = Math.min(first, Math.max(0, requests.get(r0 + i).promptIds().length - 1 - c0));
        }
        return first;
    }

    /** Copies the signals of completion tokens out of one run's {@code [count, k]} outputs, columns {@code c0..}. */
    private void keep(OrtSession.Result result, int r0, int count, int c0, int k) {
        DoubleBuffer lse = doubles(result, GraphSignals.OUTPUTS.get(0));
        DoubleBuffer[] perToken = {doubles(result, GraphSignals.OUTPUTS.get(3)), doubles(result, GraphSignals.OUTPUTS.get(1)),
                doubles(result, GraphSignals.OUTPUTS.get(2))};
        for (int i = 0; i < count; i++) {
            int q = r0 + i;
            int first = requests.get(q).promptIds().length - 1; // the column that predicts completion token 0
            for (int c = Math.max(c0, first); c < Math.min(c0 + k, fed[q]); c++) {
                int at = i * k + (c - c0);
                if (!Double.isFinite(lse.get(at))) {
                    nonFinite[q] = true;
                }
                for (int s = 0; s < SIGNALS; s++) {
                    signals[q][s][c - first] = perToken[s].get(at);
                }
            }
        }
    }

    private static DoubleBuffer doubles(OrtSession.Result result, String name) {
        OnnxValue v = result.get(name).orElseThrow(() -> new IllegalStateException("scoring run returned no " + name));
        return ((OnnxTensor) v).getDoubleBuffer();
    }

    private void put(ByteBuffer b, long v) {
        if (wideIds) {
            b.putLong(v);
        } else {
            b.putInt((int) v);
        }
    }

    private static OnnxTensor track(List<OnnxTensor> made, OnnxTensor t) {
        made.add(t);
        return t;
    }
}
