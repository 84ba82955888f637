package rlif.trainer.graph;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link TrainingGraph} loaded into ONNX Runtime: one {@link #step} runs forward, loss and backward
 * and hands back the loss, per-token log-probs and entropies and every gradient. With
 * {@code withGradients == false} it only returns log-probs and entropies (reference/old-policy passes),
 * and ORT skips the backward ops no requested output needs.
 */
public final class TrainingSession implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<String> trainables;
    private final Set<String> inputNames;

    /** What one run returns; {@code grads} is empty for a forward-only run. */
    public record Result(double loss, float[] tokenLogp, float[] tokenEntropy, Map<String, float[]> grads) {}

    public TrainingSession(TrainingGraph graph, int threads) {
        this.env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        this.trainables = graph.trainableNames();
        byte[] model = graph.graph().toModel().toByteArray();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            if (threads > 0) {
                so.setIntraOpNumThreads(threads);
            }
            this.session = env.createSession(model, so);
            this.inputNames = session.getInputNames();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load the training graph: " + e.getMessage(), e);
        }
    }

    public Result step(Map<String, float[]> params, Map<String, long[]> shapes, TokenBatch b, boolean withGradients) {
        Map<String, OnnxTensor> in = new HashMap<>();
        long[] bs = {b.rows(), b.length()};
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(b.inputIds()), bs));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(b.attentionMask()), bs));
            in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(b.positionIds()), bs));
            in.put("targets", OnnxTensor.createTensor(env, LongBuffer.wrap(b.targets()), bs));
            in.put("weights", OnnxTensor.createTensor(env, FloatBuffer.wrap(b.weights()), bs));
            if (inputNames.contains("old_logp")) {
                in.put("old_logp", OnnxTensor.createTensor(env, FloatBuffer.wrap(b.oldLogp()), bs));
                in.put("advantages", OnnxTensor.createTensor(env, FloatBuffer.wrap(b.advantages()), new long[] {b.rows(), 1}));
            }
            if (inputNames.contains("ref_logp")) {
                in.put("ref_logp", OnnxTensor.createTensor(env, FloatBuffer.wrap(b.refLogp()), bs));
            }
            for (String n : trainables) {
                in.put(n, OnnxTensor.createTensor(env, FloatBuffer.wrap(params.get(n)), shapes.get(n)));
            }
            Set<String> wanted = new LinkedHashSet<>(List.of(TrainingGraph.TOKEN_LOGP, TrainingGraph.TOKEN_ENTROPY));
            if (withGradients) {
                wanted.add(TrainingGraph.LOSS);
                trainables.forEach(n -> wanted.add(TrainingGraph.GRAD_PREFIX + n));
            }
            try (OrtSession.Result r = session.run(in, wanted)) {
                float[] logp = floats(r, TrainingGraph.TOKEN_LOGP);
                float[] ent = floats(r, TrainingGraph.TOKEN_ENTROPY);
                double loss = withGradients ? floats(r, TrainingGraph.LOSS)[0] : Double.NaN;
                Map<String, float[]> grads = new LinkedHashMap<>();
                if (withGradients) {
                    for (String n : trainables) {
                        grads.put(n, floats(r, TrainingGraph.GRAD_PREFIX + n));
                    }
                }
                return new Result(loss, logp, ent, grads);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on the training graph: " + e.getMessage(), e);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] floats(OrtSession.Result r, String name) {
        OnnxTensor t = (OnnxTensor) r.get(name).orElseThrow();
        FloatBuffer fb = t.getFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
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
