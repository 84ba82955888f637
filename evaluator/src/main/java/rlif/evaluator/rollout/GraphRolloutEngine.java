package rlif.evaluator.rollout;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import rlif.models.BadInputException;
import rlif.models.dir.ModelConfig;
import rlif.models.dir.ModelDirectory;
import rlif.models.generation.GenerationGraph;
import rlif.models.generation.GenerationModel;
import rlif.models.generation.RowRandom;
import rlif.models.tensor.DType;

/**
 * Generates rollouts with one {@code OrtSession.run} per batch: the decoder, the signals and the sampler run inside
 * an ONNX {@code Loop} ({@link GenerationGraph}), so the key/value cache and the {@code [batch, vocab]} logits never
 * leave ONNX Runtime (on a GPU, never leave the device); only token ids and per-token signals come back.
 *
 * <p>Rows are left-padded as by {@link OnnxRolloutEngine}, and a row's rollout depends only on its prompt and seed:
 * each row draws from its own {@link RowRandom} stream, seeded from {@link RolloutRequest#seed()}. Its random numbers
 * are not Java's {@code SplittableRandom}, so sampled rollouts differ from the step engine's for the same seed, while
 * greedy rollouts are the same tokens. Finished rows stay in the batch (computed, their output ignored) until every
 * row has finished. Not thread-safe: one {@code generate} at a time.
 */
public final class GraphRolloutEngine implements RolloutEngine {
    private final ModelConfig config;
    private final EngineOptions options;
    private final GenerationModel graph;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final OnnxRolloutEngine.StatsCounter stats = new OnnxRolloutEngine.StatsCounter();
    private final Set<String> outputs = new LinkedHashSet<>(GenerationGraph.OUTPUTS);
    private final boolean[] isEos;
    private final boolean positionsFed;
    private Map<String, OnnxTensor> constantInputs = Map.of();

    /** Builds the generation graph of {@code model}'s decoder and opens a session on it. */
    public GraphRolloutEngine(ModelDirectory model, EngineOptions options) {
        this.config = model.config();
        this.options = options;
        this.graph = GenerationGraph.build(model);
        this.env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        this.session = openSession(env, model, graph, options);
        this.positionsFed = model.io().positionIds().isPresent();
        this.isEos = new boolean[config.vocab()];
        for (int id : config.eosIds()) {
            isEos[id] = true;
        }
    }

    private static OrtSession openSession(OrtEnvironment env, ModelDirectory model, GenerationModel graph,
            EngineOptions options) {
        try (OrtSession.SessionOptions so = OrtSessions.options(options)) {
            // The graph is built in memory; its external weights are read from the decoder's own directory.
            so.addConfigEntry("session.model_external_initializers_file_folder_path",
                    model.config().decoderFile().toAbsolutePath().getParent().toString());
            return env.createSession(graph.proto().toByteArray(), so);
        } catch (OrtException e) {
            throw new BadInputException("ONNX Runtime cannot load the generation graph of " + model.config().decoderFile()
                    + " (use --engine step): " + e.getMessage(), e);
        }
    }

    @Override
    public List<Rollout> generate(List<RolloutRequest> batch, SamplingParams params) {
        if (batch.isEmpty()) {
            return List.of();
        }
        RolloutRequests.check(batch, params, config);
        long start = System.nanoTime();
        try {
            List<Rollout> out = new ArrayList<>(batch.size());
            int group = rowsPerRun(batch);
            for (int r0 = 0; r0 < batch.size(); r0 += group) {
                out.addAll(run(batch.subList(r0, Math.min(batch.size(), r0 + group)), params));
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed while generating with " + config.decoderFile() + ": "
                    + e.getMessage(), e);
        } finally {
            stats.totalNanos += System.nanoTime() - start;
        }
    }

    /**
     * As many rows per run as keep the prefill's logits within {@link EngineOptions#prefillLogitsBudget()}, as the
     * step engine's prefill groups do: {@code [rows, 1, vocab]} when the head is cut to the last position (so in
     * practice the whole batch), {@code [rows, prompt, vocab]} when it could not be.
     */
    private int rowsPerRun(List<RolloutRequest> batch) {
        long positions = graph.lastPositionOnly() ? 1 : RolloutRequests.longest(batch);
        long rowBytes = positions * config.vocab() * config.logitsType().bytes();
        return (int) Math.max(1, Math.min(batch.size(), options.prefillLogitsBudget() / rowBytes));
    }

    private List<Rollout> run(List<RolloutRequest> rows, SamplingParams params) throws OrtException {
        int n = rows.size();
        int longest = RolloutRequests.longest(rows);
        boolean wide = config.inputIdType() == DType.I64;
        int idBytes = wide ? 8 : 4;
        ByteBuffer ids = direct((long) n * longest * idBytes);
        ByteBuffer mask = direct((long) n * longest * idBytes);
        ByteBuffer positions = direct((long) n * longest * idBytes);
        long[] rng = new long[2 * n];
        for (int r = 0; r < n; r++) {
            int[] prompt = rows.get(r).promptIds();
            int pad = longest - prompt.length;
            for (int c = 0; c < longest; c++) {
                put(ids, wide, c < pad ? config.paddingId() : prompt[c - pad]);
                put(mask, wide, c < pad ? 0 : 1);
                put(positions, wide, Math.max(0, c - pad));
            }
            long[] state = RowRandom.initialState(rows.get(r).seed());
            rng[2 * r] = state[0];
            rng[2 * r + 1] = state[1];
        }
        boolean truncated = params.topK() > 0 && params.topK() < config.vocab() || params.topP() < 1;
        long topK = params.isGreedy() ? 1 : truncated ? (params.topK() > 0 ? params.topK() : config.vocab()) : 0;
        OnnxJavaType idType = wide ? OnnxJavaType.INT64 : OnnxJavaType.INT32;
        long[] promptShape = {n, longest};
        List<OnnxTensor> owned = new ArrayList<>();
        Map<String, OnnxTensor> in = new HashMap<>(constantInputs);
        try {
            in.put(GenerationGraph.PROMPT_IDS, own(owned, OnnxTensor.createTensor(env, ids.flip(), promptShape, idType)));
            in.put(GenerationGraph.PROMPT_MASK, own(owned, OnnxTensor.createTensor(env, mask.flip(), promptShape, idType)));
            if (positionsFed) {
                in.put(GenerationGraph.PROMPT_POSITIONS,
                        own(owned, OnnxTensor.createTensor(env, positions.flip(), promptShape, idType)));
            }
            in.put(GenerationGraph.MAX_NEW_TOKENS, own(owned, scalar(params.maxNewTokens())));
            in.put(GenerationGraph.TEMPERATURE, own(owned, scalar(params.signalTemperature())));
            in.put(GenerationGraph.TOP_K, own(owned, scalar(topK)));
            in.put(GenerationGraph.TOP_P, own(owned, scalar(params.topP())));
            in.put(GenerationGraph.RNG_STATE, own(owned, OnnxTensor.createTensor(env, LongBuffer.wrap(rng), new long[] {n, 2})));
            long t0 = System.nanoTime();
            try (OrtSession.Result result = session.run(in, outputs)) {
                long nanos = System.nanoTime() - t0;
                Steps steps = new Steps(result);
                stats.prefillRuns++;
                stats.decodeSteps += steps.count - 1;
                stats.rowSteps += (long) n * (steps.count - 1);
                stats.decodeNanos += nanos;
                stats.decodeOrtNanos += nanos;
                List<Rollout> out = new ArrayList<>(n);
                for (int r = 0; r < n; r++) {
                    Rollout rollout = steps.rollout(r, rows.get(r).promptIds(), params.maxNewTokens());
                    stats.tokens += rollout.numTokens();
                    out.add(rollout);
                }
                return out;
            }
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    /** The {@code [steps, batch]} outputs of one run, read into arrays. */
    private final class Steps {
        final int count;
        final int batch;
        final long[] tokens;
        final double[] logsumexp;
        final double[] entropy;
        final double[] certainty;
        final double[] logprob;

        Steps(OrtSession.Result result) {
            OnnxTensor t = tensor(result, GenerationGraph.TOKENS);
            long[] shape = t.getInfo().getShape();
            count = (int) shape[0];
            batch = (int) shape[1];
            tokens = longs(t);
            logsumexp = doubles(tensor(result, GenerationGraph.OUTPUTS.get(1)));
            entropy = doubles(tensor(result, GenerationGraph.OUTPUTS.get(2)));
            certainty = doubles(tensor(result, GenerationGraph.OUTPUTS.get(3)));
            logprob = doubles(tensor(result, GenerationGraph.OUTPUTS.get(4)));
        }

        /**
         * Row {@code r}'s rollout: its tokens up to and including its first eos, or up to the first step whose
         * logits were not finite (that step excluded), or {@code maxNew} tokens.
         */
        Rollout rollout(int r, int[] prompt, int maxNew) {
            int[] ids = new int[count];
            double[] lp = new double[count];
            double[] h = new double[count];
            double[] s = new double[count];
            FinishReason why = null;
            int k = 0;
            for (int t = 0; t < count && why == null; t++) {
                int at = t * batch + r;
                if (!Double.isFinite(logsumexp[at])) {
                    why = FinishReason.NON_FINITE;
                    break;
                }
                ids[k] = (int) tokens[at];
                lp[k] = logprob[at];
                h[k] = entropy[at];
                s[k] = certainty[at];
                k++;
                if (isEos[ids[k - 1]]) {
                    why = FinishReason.EOS;
                } else if (k == maxNew) {
                    why = FinishReason.LENGTH;
                }
            }
            if (why == null) {
                throw new IllegalStateException("the generation graph stopped after " + count + " steps with row " + r
                        + " unfinished");
            }
            return new Rollout(prompt.clone(), Arrays.copyOf(ids, k), why, Arrays.copyOf(lp, k),
                    Arrays.copyOf(h, k), Arrays.copyOf(s, k));
        }
    }

    private static OnnxTensor tensor(OrtSession.Result result, String name) {
        return (OnnxTensor) result.get(name).orElseThrow(() -> new IllegalStateException("no output " + name));
    }

    private static long[] longs(OnnxTensor t) {
        LongBuffer b = t.getLongBuffer();
        long[] out = new long[b.remaining()];
        b.get(out);
        return out;
    }

    private static double[] doubles(OnnxTensor t) {
        DoubleBuffer b = t.getDoubleBuffer();
        double[] out = new double[b.remaining()];
        b.get(out);
        return out;
    }

    private OnnxTensor scalar(long v) throws OrtException {
        return OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {v}), new long[0]);
    }

    private OnnxTensor scalar(double v) throws OrtException {
        return OnnxTensor.createTensor(env, DoubleBuffer.wrap(new double[] {v}), new long[0]);
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor t) {
        owned.add(t);
        return t;
    }

    private static ByteBuffer direct(long bytes) {
        return ByteBuffer.allocateDirect(Math.toIntExact(Math.max(bytes, 8))).order(ByteOrder.nativeOrder());
    }

    private static void put(ByteBuffer b, boolean wide, long v) {
        if (wide) {
            b.putLong(v);
        } else {
            b.putInt((int) v);
        }
    }

    @Override
    public int vocabSize() {
        return config.vocab();
    }

    @Override
    public void setConstantInputs(Map<String, OnnxTensor> inputs) {
        this.constantInputs = Map.copyOf(inputs);
    }

    /** The generation graph's input names: its own and the decoder inputs the caller feeds. */
    public Set<String> graphInputs() {
        return session.getInputNames();
    }

    /** Whether the prefill computes last-position logits only (else large batches run in groups of rows). */
    public boolean lastPositionOnly() {
        return graph.lastPositionOnly();
    }

    /**
     * Where time went, summed over every {@code generate}: one prefill run per batch (or group of rows), decode steps
     * counted from the loop's iterations; the whole run is inside {@code OrtSession.run}, so {@code prefillNanos} is 0
     * and {@code decodeNanos} is the time of the runs.
     */
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
        }
    }
}
