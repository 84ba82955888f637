package rlif.trainer.graph;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import rlif.evaluator.rollout.Device;
import rlif.evaluator.rollout.EngineOptions;
import rlif.evaluator.rollout.OrtSessions;

/**
 * A {@link TrainingGraph} loaded into ONNX Runtime. {@link #backward} runs forward, loss and backward on one
 * micro-batch and adds its gradients into a {@link Gradients}; {@link #forward} returns only log-probs,
 * entropies and statistics (reference passes, held-out loss), and ORT skips the backward ops no requested output
 * needs.
 *
 * <p>{@link Precision#FLOAT64} runs the graph promoted to double ({@link Float64Promotion}): the same code path
 * in the precision where gradients can be compared to 1e-6 and better.
 */
public final class TrainingSession implements AutoCloseable {
    /** The element type the graph runs in. */
    public enum Precision { FLOAT32, FLOAT64 }

    private final OrtEnvironment env;
    private final OrtSession session;
    /** What runs need of the {@link TrainingGraph}; the graph itself (and the frozen weights it holds) is not kept. */
    private final Map<String, long[]> trainableShapes;
    private final List<String> statistics;
    private final Precision precision;
    private final Set<String> inputNames;

    /**
     * What one run returns, all in double whatever the precision: the micro-batch's share of the step's loss
     * (NaN for a forward pass), per-token log-probs and entropies [rows * length], and the {@code stats.*} sums.
     */
    public record Pass(double loss, double[] tokenLogp, double[] tokenEntropy, Map<String, Double> statistics) {}

    /** A session on the graph handed to ONNX Runtime in memory (small graphs, and the float64 mode). */
    public TrainingSession(TrainingGraph graph, int threads, Device device, Precision precision) {
        this(graph, threads, device, precision, null);
    }

    /**
     * A session on the graph; with {@code dir} (float32 only) the graph is first written there with its frozen
     * weights as external data and ONNX Runtime loads that file, so the weights are never copied into the Java heap
     * (for a real checkpoint they would be, two or three times over, while the model is serialised), and graphs over
     * protobuf's 2 GB limit load too.
     */
    public TrainingSession(TrainingGraph graph, int threads, Device device, Precision precision, Path dir) {
        this.env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        this.trainableShapes = graph.trainableShapes();
        this.statistics = graph.statistics();
        this.precision = precision;
        byte[] model = null;
        Path file = null;
        if (dir != null && precision == Precision.FLOAT32) {
            try {
                java.nio.file.Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot create " + dir, e);
            }
            graph.graph().save(dir, "train.onnx");
            file = dir.resolve("train.onnx");
        } else {
            var proto = graph.graph().toModel();
            model = (precision == Precision.FLOAT64 ? Float64Promotion.promote(proto) : proto).toByteArray();
        }
        // The rollout engine's options (threads, spinning, device, no arena), and no per-shape memory patterns:
        // every micro-batch has its own sequence length, so ORT's arena and its memory patterns would keep the
        // high-water mark of every shape seen (measured: docs/training.md, "Memory").
        try (OrtSession.SessionOptions so = OrtSessions.options(EngineOptions.defaults().withThreads(threads)
                .withDevice(device).withArena(false))) {
            so.setMemoryPatternOptimization(false);
            this.session = file != null ? env.createSession(file.toString(), so) : env.createSession(model, so);
            this.inputNames = session.getInputNames();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load the training graph: " + e.getMessage(), e);
        }
    }

    /** The shape of each trainable the session takes. */
    public Map<String, long[]> trainableShapes() {
        return trainableShapes;
    }

    /** Forward, loss and backward of one micro-batch; adds its gradients into {@code into}. */
    public Pass backward(Map<String, float[]> params, TokenBatch b, Gradients into) {
        Set<String> wanted = outputs();
        wanted.add(TrainingGraph.LOSS);
        trainableShapes.keySet().forEach(n -> wanted.add(TrainingGraph.GRAD_PREFIX + n));
        return run(params, b, wanted, into);
    }

    /** Forward only: log-probs, entropies and statistics of {@code b} under {@code params}. */
    public Pass forward(Map<String, float[]> params, TokenBatch b) {
        return run(params, b, outputs(), null);
    }

    private Set<String> outputs() {
        Set<String> wanted = new LinkedHashSet<>(List.of(TrainingGraph.TOKEN_LOGP, TrainingGraph.TOKEN_ENTROPY));
        wanted.addAll(statistics);
        return wanted;
    }

    private Pass run(Map<String, float[]> params, TokenBatch b, Set<String> wanted, Gradients into) {
        Map<String, OnnxTensor> in = new HashMap<>();
        long[] bs = {b.rows(), b.length()};
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(b.inputIds()), bs));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(b.attentionMask()), bs));
            in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(b.positionIds()), bs));
            in.put("targets", OnnxTensor.createTensor(env, LongBuffer.wrap(b.targets()), bs));
            in.put("weights", real(b.weights(), bs));
            if (inputNames.contains("old_logp")) {
                in.put("old_logp", real(b.oldLogp(), bs));
                in.put("advantages", real(b.advantages(), new long[] {b.rows(), 1}));
            }
            if (inputNames.contains("ref_logp")) {
                in.put("ref_logp", real(b.refLogp(), bs));
            }
            if (inputNames.contains("entropy_weights")) {
                in.put("entropy_weights", real(b.entropyWeights(), bs));
            }
            for (Map.Entry<String, long[]> t : trainableShapes.entrySet()) {
                in.put(t.getKey(), real(params.get(t.getKey()), t.getValue()));
            }
            try (OrtSession.Result r = session.run(in, wanted)) {
                Map<String, Double> stats = new LinkedHashMap<>();
                for (String s : statistics) {
                    stats.put(s, doubles(r, s)[0]);
                }
                double loss = Double.NaN;
                if (into != null) {
                    loss = doubles(r, TrainingGraph.LOSS)[0];
                    for (String n : trainableShapes.keySet()) {
                        into.add(n, buffer(r, TrainingGraph.GRAD_PREFIX + n));
                    }
                }
                return new Pass(loss, doubles(r, TrainingGraph.TOKEN_LOGP), doubles(r, TrainingGraph.TOKEN_ENTROPY), stats);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on the training graph: " + e.getMessage(), e);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    /** A float input in the session's precision. */
    private OnnxTensor real(float[] values, long[] shape) throws OrtException {
        if (precision == Precision.FLOAT32) {
            return OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
        }
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return OnnxTensor.createTensor(env, DoubleBuffer.wrap(d), shape);
    }

    private Buffer buffer(OrtSession.Result r, String name) {
        OnnxTensor t = (OnnxTensor) r.get(name).orElseThrow();
        return precision == Precision.FLOAT32 ? t.getFloatBuffer() : t.getDoubleBuffer();
    }

    private double[] doubles(OrtSession.Result r, String name) {
        Buffer b = buffer(r, name);
        double[] out = new double[b.remaining()];
        if (b instanceof FloatBuffer f) {
            for (int i = 0; i < out.length; i++) {
                out[i] = f.get(i);
            }
        } else {
            ((DoubleBuffer) b).get(out);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
