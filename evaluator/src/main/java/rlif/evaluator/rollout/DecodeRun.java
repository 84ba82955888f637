package rlif.evaluator.rollout;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import rlif.evaluator.sampling.TokenSampler;
import rlif.kernels.LogitRows;
import rlif.kernels.SignalBatch;
import rlif.models.dir.DecoderIo;
import rlif.models.dir.ModelConfig;
import rlif.models.tensor.DType;

/**
 * One {@code generate} call: the padded batch, the carried cache, the per-row outputs and the direct
 * buffers every run reads its inputs from and writes its logits into.
 *
 * <p>Rows are left-padded to a common length, so the last column is every row's latest token. Column
 * {@code c} of row {@code r} is padding while {@code c < pad[r]}; its position id is {@code c - pad[r]},
 * the count of real tokens before it. Dropping finished rows (compaction) also drops leading columns
 * that are padding in every remaining row.
 */
final class DecodeRun implements AutoCloseable {
    private final OnnxRolloutEngine engine;
    private final OnnxRolloutEngine.StatsCounter stats;
    private final DecoderIo io;
    private final ModelConfig config;
    private final List<RolloutRequest> requests;
    private final SamplingParams params;
    private final int vocab;
    private final int logitBytes;
    private final boolean wideIds;
    private final Set<String> presentNames;
    private final boolean[] isEos;
    private final double invSignalT;

    // Rows still in the batch: row r is request rowRequest[r].
    private int rows;
    private int[] rowRequest;
    private int[] pad;
    private int[] next;
    private long cached; // columns held in the cache
    private KvCache cache;

    // Per request.
    private final int[][] tokens;
    private final double[][] logprobs;
    private final double[][] entropies;
    private final double[][] certainties;
    private final int[] count;
    private final FinishReason[] finish;
    private final SplittableRandom[] random;

    // Reused across steps.
    private final ByteBuffer idsBuf;
    private final ByteBuffer posBuf;
    private final ByteBuffer stepLogits;
    private OnnxTensor stepLogitsTensor;
    private int stepLogitsRows = -1;
    // Decode-step ids and position ids ([rows, 1], rewritten in place each step) and the use_cache_branch flags.
    private OnnxTensor stepIds;
    private OnnxTensor stepPositions;
    private int stepInputRows = -1;
    private final OnnxTensor[] cacheBranch = new OnnxTensor[2];
    private LogitRows stepView;
    private final SignalBatch signals;
    private final TokenSampler sampler;
    private final Map<String, OnnxTensor> inputs = new HashMap<>();
    private final Map<String, OnnxTensor> outputs = new HashMap<>();
    // Where decode steps write their present key/values; null when ONNX Runtime allocates them (over budget).
    private final PresentBuffers presents;

    DecodeRun(OnnxRolloutEngine engine, List<RolloutRequest> requests, SamplingParams params) throws OrtException {
        this.engine = engine;
        this.stats = engine.counter();
        this.io = engine.io();
        this.config = engine.config();
        this.requests = requests;
        this.params = params;
        this.vocab = config.vocab();
        this.logitBytes = config.logitsType().bytes();
        this.wideIds = config.inputIdType() == DType.I64;
        this.presentNames = new LinkedHashSet<>(io.presentOutputs());
        this.isEos = new boolean[vocab];
        if (engine.options().stopAtEos()) {
            for (int id : config.eosIds()) {
                isEos[id] = true;
            }
        }
        this.invSignalT = 1.0 / params.signalTemperature();

        int n = requests.size();
        rows = n;
        rowRequest = new int[n];
        pad = new int[n];
        next = new int[n];
        tokens = new int[n][params.maxNewTokens()];
        logprobs = new double[n][params.maxNewTokens()];
        entropies = new double[n][params.maxNewTokens()];
        certainties = new double[n][params.maxNewTokens()];
        count = new int[n];
        finish = new FinishReason[n];
        random = new SplittableRandom[n];
        int longest = 0;
        for (RolloutRequest r : requests) {
            longest = Math.max(longest, r.promptIds().length);
        }
        for (int i = 0; i < n; i++) {
            rowRequest[i] = i;
            pad[i] = longest - requests.get(i).promptIds().length;
            random[i] = new SplittableRandom(requests.get(i).seed());
        }
        int idBytes = wideIds ? 8 : 4;
        DirectBuffers buffers = engine.buffers();
        idsBuf = buffers.get(DirectBuffers.Slot.INPUT_IDS, (long) n * longest * idBytes);
        posBuf = buffers.get(DirectBuffers.Slot.POSITION_IDS, (long) n * longest * idBytes);
        stepLogits = buffers.get(DirectBuffers.Slot.STEP_LOGITS, (long) n * vocab * logitBytes);
        signals = engine.signalBatch(n);
        sampler = engine.sampler();
        cache = KvCache.empty(engine.env(), io, n, config.kvHeads(), config.headSize(),
                OnnxRolloutEngine.javaType(config.kvType()));
        // The widest cache a decode step writes: every row, the prompt and every new token but the last.
        presents = PresentBuffers.forRun(buffers, io.presentOutputs().size(), io.cacheLayout(), n, config.kvHeads(),
                config.headSize(), (long) longest + params.maxNewTokens(), OnnxRolloutEngine.javaType(config.kvType()),
                config.kvType().bytes(), engine.options().presentBufferBudget());
    }

    List<Rollout> execute() throws OrtException {
        prefill();
        while (unfinishedRows() > 0) {
            long t0 = System.nanoTime();
            maybeCompact();
            runDecodeStep();
            chooseTokens(true);
            stats.decodeSteps++;
            stats.decodeNanos += System.nanoTime() - t0;
        }
        List<Rollout> out = new ArrayList<>(requests.size());
        for (int q = 0; q < requests.size(); q++) {
            int n = count[q];
            stats.tokens += n;
            out.add(new Rollout(requests.get(q).promptIds().clone(), Arrays.copyOf(tokens[q], n), finish[q],
                    Arrays.copyOf(logprobs[q], n), Arrays.copyOf(entropies[q], n), Arrays.copyOf(certainties[q], n)));
        }
        return out;
    }

    // ---- prefill ----

    /**
     * Feeds every prompt in one run per group of rows, each group over all columns so they share the
     * padding layout, then joins the groups' caches. Groups keep one run's {@code [rows, columns, vocab]}
     * logits within the budget; any decoder accepts this, unlike feeding a prompt in column chunks.
     */
    private void prefill() throws OrtException {
        long t0 = System.nanoTime();
        int longest = pad[0] + requests.get(rowRequest[0]).promptIds().length;
        long rowBytes = (long) vocab * logitBytes;
        int group = (int) Math.max(1, Math.min(rows, engine.options().prefillLogitsBudget() / (longest * rowBytes)));
        List<KvCache> parts = new ArrayList<>();
        try {
            for (int r0 = 0; r0 < rows; r0 += group) {
                int count = Math.min(group, rows - r0);
                long bytes = count * longest * rowBytes;
                ByteBuffer prefillLogits = engine.buffers().get(DirectBuffers.Slot.PREFILL_LOGITS, bytes);
                fillIdsAndPositions(r0, count, longest, (r, j) -> j < pad[r] ? config.paddingId()
                        : requests.get(rowRequest[r]).promptIds()[j - pad[r]]);
                try (OnnxTensor logits = OnnxTensor.createTensor(engine.env(), exact(prefillLogits, bytes),
                        new long[] {count, longest, vocab}, OnnxRolloutEngine.javaType(config.logitsType()))) {
                    parts.add(run(r0, count, longest, cache, logits, null));
                }
                stats.prefillRuns++;
                // Keep only each row's last position: the logits that choose its first token.
                for (int i = 0; i < count; i++) {
                    long src = ((long) i * longest + (longest - 1)) * rowBytes;
                    stepLogits.put(Math.toIntExact((r0 + i) * rowBytes), prefillLogits, Math.toIntExact(src),
                            Math.toIntExact(rowBytes));
                }
            }
            // The decode steps never read these logits again; free them before the steps grow the KV caches.
            engine.buffers().release(DirectBuffers.Slot.PREFILL_LOGITS);
            KvCache joined = parts.size() == 1 ? parts.remove(0) : KvCache.concat(engine.env(), parts);
            cache.close();
            cache = joined;
            cached = longest;
        } finally {
            for (KvCache part : parts) {
                part.close();
            }
        }
        chooseTokens(false);
        stats.prefillNanos += System.nanoTime() - t0;
    }

    // ---- decode ----

    private void runDecodeStep() throws OrtException {
        fillIdsAndPositions(0, rows, 1, (r, j) -> next[r]);
        if (stepLogitsRows != rows) {
            if (stepLogitsTensor != null) {
                stepLogitsTensor.close();
            }
            long bytes = (long) rows * vocab * logitBytes;
            stepLogitsTensor = OnnxTensor.createTensor(engine.env(), exact(stepLogits, bytes),
                    new long[] {rows, 1, vocab}, OnnxRolloutEngine.javaType(config.logitsType()));
            stepLogitsRows = rows;
        }
        KvCache present = presents == null ? null : presents.nextPresent(engine.env(), rows, cached + 1);
        KvCache fresh;
        try {
            fresh = run(0, rows, 1, cache, stepLogitsTensor, present);
        } catch (OrtException | RuntimeException e) {
            if (present != null) {
                present.close();
            }
            throw e;
        }
        cache.close();
        cache = fresh;
        if (presents != null) {
            presents.adopted(fresh);
        }
        cached += 1;
        stats.rowSteps += rows;
    }

    /** Token source for the ids of row r, column j of the fed block. */
    private interface Tokens {
        int at(int r, int j);
    }

    /** Ids and position ids of rows {@code [r0, r0 + count)} for the {@code n} columns after the cache. */
    private void fillIdsAndPositions(int r0, int count, int n, Tokens src) {
        idsBuf.clear();
        posBuf.clear();
        for (int r = r0; r < r0 + count; r++) {
            for (int j = 0; j < n; j++) {
                long col = cached + j;
                long pos = Math.max(0, col - pad[r]);
                if (wideIds) {
                    idsBuf.putLong(src.at(r, j));
                    posBuf.putLong(pos);
                } else {
                    idsBuf.putInt(src.at(r, j));
                    posBuf.putInt((int) pos);
                }
            }
        }
        idsBuf.flip();
        posBuf.flip();
    }

    /**
     * One decoder run of rows {@code [r0, r0 + count)} over {@code n} new columns after {@code past};
     * the logits land in {@code logits}' buffer and the present key/values in {@code present}'s tensors (then
     * {@code present} is returned) or, when it is null, in tensors ONNX Runtime allocates. The returned cache is the
     * caller's to close.
     */
    private KvCache run(int r0, int count, int n, KvCache past, OnnxTensor logits, KvCache present)
            throws OrtException {
        long total = cached + n;
        int idBytes = wideIds ? 8 : 4;
        ByteBuffer maskBuf = engine.buffers().get(DirectBuffers.Slot.ATTENTION_MASK, count * total * idBytes);
        for (int r = r0; r < r0 + count; r++) {
            for (long c = 0; c < total; c++) {
                int m = c < pad[r] ? 0 : 1;
                if (wideIds) {
                    maskBuf.putLong(m);
                } else {
                    maskBuf.putInt(m);
                }
            }
        }
        maskBuf.flip();
        OnnxJavaType idType = OnnxRolloutEngine.javaType(config.inputIdType());
        long[] idShape = {count, n};
        List<AutoCloseable> owned = new ArrayList<>(5);
        try {
            inputs.clear();
            OnnxTensor ids;
            OnnxTensor positions;
            if (n == 1) {
                // Decode steps keep their [rows, 1] tensors over the same buffers until the row count changes.
                if (stepInputRows != count) {
                    closeStepInputs();
                    stepIds = OnnxTensor.createTensor(engine.env(), idsBuf, idShape, idType);
                    stepPositions = OnnxTensor.createTensor(engine.env(), posBuf, idShape, idType);
                    stepInputRows = count;
                }
                ids = stepIds;
                positions = stepPositions;
            } else {
                ids = track(owned, OnnxTensor.createTensor(engine.env(), idsBuf, idShape, idType));
                positions = track(owned, OnnxTensor.createTensor(engine.env(), posBuf, idShape, idType));
            }
            inputs.put(io.inputIds(), ids);
            inputs.put(io.attentionMask(), track(owned,
                    OnnxTensor.createTensor(engine.env(), maskBuf, new long[] {count, total}, idType)));
            if (io.positionIds().isPresent()) {
                inputs.put(io.positionIds().get(), positions);
            }
            if (io.useCacheBranch().isPresent()) {
                int useCache = cached > 0 ? 1 : 0;
                if (cacheBranch[useCache] == null) {
                    cacheBranch[useCache] = OnnxTensor.createTensor(engine.env(), new boolean[] {useCache == 1});
                }
                inputs.put(io.useCacheBranch().get(), cacheBranch[useCache]);
            }
            KvCache source = past;
            if (past.length() == 0 && past.rows() != count) {
                source = track(owned, KvCache.empty(engine.env(), io, count, config.kvHeads(), config.headSize(),
                        OnnxRolloutEngine.javaType(config.kvType())));
            }
            List<String> pastNames = io.pastInputs();
            for (int i = 0; i < pastNames.size(); i++) {
                inputs.put(pastNames.get(i), source.tensor(i));
            }
            inputs.putAll(engine.constantInputs());
            outputs.put(io.logits(), logits);
            if (present != null) {
                List<String> presentList = io.presentOutputs();
                for (int i = 0; i < presentList.size(); i++) {
                    outputs.put(presentList.get(i), present.tensor(i));
                }
            }
            long t0 = System.nanoTime();
            OrtSession.Result result = engine.session().run(inputs, present == null ? presentNames : Set.of(), outputs);
            if (n == 1) {
                stats.decodeOrtNanos += System.nanoTime() - t0;
            }
            if (present != null) {
                result.close(); // holds only the bound outputs, which it does not own
                return present;
            }
            return KvCache.adopt(result, io.presentOutputs(), io.cacheLayout());
        } finally {
            inputs.clear();
            outputs.clear();
            for (AutoCloseable t : owned) {
                closeQuietly(t);
            }
        }
    }

    private static <T extends AutoCloseable> T track(List<? super T> owned, T t) {
        owned.add(t);
        return t;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing a native resource failed", e);
        }
    }

    // ---- signals and sampling ----

    private void chooseTokens(boolean decoding) {
        if (stepView == null || stepView.rows() != rows) {
            stepView = config.logitsType() == DType.F16
                    ? LogitRows.ofHalf(stepLogits.asShortBuffer(), rows, vocab)
                    : LogitRows.of(stepLogits.asFloatBuffer(), rows, vocab);
        }
        long t0 = System.nanoTime();
        engine.kernel().compute(stepView, params.signalTemperature(), null, signals);
        if (decoding) {
            stats.decodeSignalNanos += System.nanoTime() - t0;
        }
        for (int r = 0; r < rows; r++) {
            int q = rowRequest[r];
            if (finish[q] != null) {
                next[r] = config.paddingId(); // fed until compaction drops the row; its output is ignored
                continue;
            }
            if (!Double.isFinite(signals.logsumexp[r])) {
                // NaN or +inf logits (a broken checkpoint, an overflow): end this rollout and say why rather
                // than sample from garbage; the other rows of the batch go on.
                finish[q] = FinishReason.NON_FINITE;
                next[r] = config.paddingId();
                continue;
            }
            int token = params.isGreedy()
                    ? signals.argmax[r]
                    : sampler.sample(stepView, r, params.temperature(), params.topK(), params.topP(),
                            signals.logsumexp[r], random[q]);
            int i = count[q]++;
            tokens[q][i] = token;
            logprobs[q][i] = stepView.get(r, token) * invSignalT - signals.logsumexp[r];
            entropies[q][i] = signals.entropy[r];
            certainties[q][i] = signals.selfCertainty[r];
            if (isEos[token]) {
                finish[q] = FinishReason.EOS;
            } else if (count[q] == params.maxNewTokens()) {
                finish[q] = FinishReason.LENGTH;
            }
            next[r] = token;
        }
    }

    private int unfinishedRows() {
        int n = 0;
        for (int r = 0; r < rows; r++) {
            if (finish[rowRequest[r]] == null) {
                n++;
            }
        }
        return n;
    }

    // ---- compaction ----

    /** Drops finished rows once they are a large enough share of the batch (see EngineOptions). */
    private void maybeCompact() throws OrtException {
        int live = unfinishedRows();
        int done = rows - live;
        if (done == 0 || done < engine.options().compactAtFinishedShare() * rows) {
            return;
        }
        int[] keep = new int[live];
        int k = 0;
        int trim = Integer.MAX_VALUE;
        for (int r = 0; r < rows; r++) {
            if (finish[rowRequest[r]] == null) {
                keep[k++] = r;
                trim = Math.min(trim, pad[r]);
            }
        }
        KvCache smaller = cache.gather(engine.env(), keep, trim);
        cache.close();
        cache = smaller;
        if (presents != null) {
            presents.adopted(smaller);
        }
        int[] newRequest = new int[live];
        int[] newPad = new int[live];
        int[] newNext = new int[live];
        for (int i = 0; i < live; i++) {
            newRequest[i] = rowRequest[keep[i]];
            newPad[i] = pad[keep[i]] - trim;
            newNext[i] = next[keep[i]];
        }
        rowRequest = newRequest;
        pad = newPad;
        next = newNext;
        cached -= trim;
        rows = live;
        stats.compactions++;
    }

    // ---- buffers ----

    /** A native-order view of the first {@code bytes} of {@code buf}, sharing its memory. */
    private static ByteBuffer exact(ByteBuffer buf, long bytes) {
        return buf.duplicate().clear().limit(Math.toIntExact(bytes)).slice().order(ByteOrder.nativeOrder());
    }

    private void closeStepInputs() {
        if (stepIds != null) {
            stepIds.close();
            stepPositions.close();
            stepIds = null;
            stepPositions = null;
        }
        stepInputRows = -1;
    }

    @Override
    public void close() {
        closeStepInputs();
        for (OnnxTensor t : cacheBranch) {
            if (t != null) {
                t.close();
            }
        }
        if (stepLogitsTensor != null) {
            stepLogitsTensor.close();
        }
        if (cache != null) {
            cache.close();
        }
    }
}
