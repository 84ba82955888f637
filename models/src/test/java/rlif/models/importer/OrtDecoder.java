package rlif.models.importer;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: runs any Optimum-named decoder file ({@code input_ids}, {@code attention_mask}, {@code position_ids},
 * {@code past_key_values.N.key/value} -> {@code logits}, {@code present.N.*}) for one sequence under ONNX Runtime,
 * carrying the KV cache as raw bytes of whatever float type the model declares. Logits come back as float32.
 */
final class OrtDecoder implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final Map<String, byte[]> past = new HashMap<>();
    private final Map<String, long[]> pastShape = new HashMap<>();
    private long length;

    OrtDecoder(Path model) throws OrtException {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            session = env.createSession(model.toString(), so);
        }
        for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
            if (e.getKey().startsWith("past_key_values.")) {
                long[] s = ((TensorInfo) e.getValue().getInfo()).getShape();
                pastShape.put(e.getKey(), new long[] {1, s[1], 0, s[3]});
                past.put(e.getKey(), new byte[0]);
            }
        }
    }

    /** Feeds {@code ids} after what was fed before; returns logits [ids.length][vocab]. */
    float[][] step(long[] ids) throws OrtException {
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            long total = length + ids.length;
            long[] mask = new long[(int) total];
            java.util.Arrays.fill(mask, 1);
            long[] pos = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                pos[i] = length + i;
            }
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, ids.length}));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, total}));
            if (session.getInputNames().contains("position_ids")) {
                in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {1, ids.length}));
            }
            for (String name : past.keySet()) {
                TensorInfo info = (TensorInfo) session.getInputInfo().get(name).getInfo();
                ByteBuffer b = ByteBuffer.allocateDirect(past.get(name).length).order(ByteOrder.nativeOrder());
                b.put(past.get(name)).flip();
                in.put(name, OnnxTensor.createTensor(env, b, pastShape.get(name), info.type));
            }
            try (OrtSession.Result r = session.run(in)) {
                OnnxTensor logits = (OnnxTensor) r.get("logits").orElseThrow();
                long[] ls = logits.getInfo().getShape();
                float[] flat = floats(logits);
                int vocab = (int) ls[2];
                float[][] out = new float[ids.length][vocab];
                for (int t = 0; t < ids.length; t++) {
                    System.arraycopy(flat, t * vocab, out[t], 0, vocab);
                }
                for (String name : List.copyOf(past.keySet())) {
                    String present = name.replace("past_key_values.", "present.");
                    OnnxTensor p = (OnnxTensor) r.get(present).orElseThrow();
                    ByteBuffer bb = p.getByteBuffer();
                    byte[] bytes = new byte[bb.remaining()];
                    bb.get(bytes);
                    past.put(name, bytes);
                    pastShape.put(name, p.getInfo().getShape());
                }
                length = total;
                return out;
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] floats(OnnxTensor t) {
        ByteBuffer b = t.getByteBuffer().order(ByteOrder.nativeOrder());
        if (t.getInfo().type == OnnxJavaType.FLOAT) {
            float[] f = new float[b.remaining() / 4];
            b.asFloatBuffer().get(f);
            return f;
        }
        if (t.getInfo().type == OnnxJavaType.FLOAT16) {
            float[] f = new float[b.remaining() / 2];
            for (int i = 0; i < f.length; i++) {
                f[i] = Float.float16ToFloat(b.getShort(2 * i));
            }
            return f;
        }
        throw new IllegalStateException("logits of type " + t.getInfo().type);
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
