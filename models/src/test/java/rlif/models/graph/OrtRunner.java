package rlif.models.graph;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test helper: runs an in-memory model under ONNX Runtime (CPU) on float32/int64 inputs, returns float32 outputs. */
public final class OrtRunner {
    private OrtRunner() {}

    /** A named input: float32 or int64 data with a shape. */
    public record Input(long[] shape, float[] floats, long[] longs) {
        public static Input floats(float[] data, long... shape) {
            return new Input(shape, data, null);
        }

        public static Input longs(long[] data, long... shape) {
            return new Input(shape, null, data);
        }
    }

    /** A float32 output: data and shape. */
    public record Output(long[] shape, float[] data) {}

    /** The tensor's values widened to float32 (float32, float16, int64, bool outputs). */
    static float[] toFloats(OnnxTensor t) {
        switch (t.getInfo().type) {
            case FLOAT -> {
                FloatBuffer fb = t.getFloatBuffer();
                float[] d = new float[fb.remaining()];
                fb.get(d);
                return d;
            }
            case FLOAT16 -> {
                java.nio.ShortBuffer sb = t.getShortBuffer();
                float[] d = new float[sb.remaining()];
                for (int i = 0; i < d.length; i++) {
                    d[i] = Float.float16ToFloat(sb.get(i));
                }
                return d;
            }
            case INT64 -> {
                LongBuffer lb = t.getLongBuffer();
                float[] d = new float[lb.remaining()];
                for (int i = 0; i < d.length; i++) {
                    d[i] = lb.get(i);
                }
                return d;
            }
            case BOOL -> {
                java.nio.ByteBuffer bb = t.getByteBuffer();
                float[] d = new float[bb.remaining()];
                for (int i = 0; i < d.length; i++) {
                    d[i] = bb.get(i);
                }
                return d;
            }
            default -> throw new IllegalArgumentException("output type " + t.getInfo().type);
        }
    }

    public static Map<String, Output> run(byte[] model, Map<String, Input> inputs) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(model, so)) {
                return run(env, s, inputs);
            }
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Map<String, Output> run(OrtEnvironment env, OrtSession s, Map<String, Input> inputs) throws OrtException {
        Map<String, OnnxTensor> ts = new HashMap<>();
        try {
            for (var e : inputs.entrySet()) {
                Input in = e.getValue();
                ts.put(e.getKey(), in.floats() != null
                        ? OnnxTensor.createTensor(env, FloatBuffer.wrap(in.floats()), in.shape())
                        : OnnxTensor.createTensor(env, LongBuffer.wrap(in.longs()), in.shape()));
            }
            Map<String, Output> out = new LinkedHashMap<>();
            try (OrtSession.Result r = s.run(ts)) {
                for (Map.Entry<String, OnnxValue> e : r) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    out.put(e.getKey(), new Output(t.getInfo().getShape(), toFloats(t)));
                }
            }
            return out;
        } finally {
            ts.values().forEach(OnnxTensor::close);
        }
    }
}
