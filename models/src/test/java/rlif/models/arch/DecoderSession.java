package rlif.models.arch;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import rlif.models.graph.GraphBuilder;
import rlif.models.tensor.DType;

/**
 * Test helper: one ORT session over a built decoder graph, run step by step with its KV cache carried in Java
 * (as raw bytes, float32 or float16). Rows may be left-padded; the caller gives masks and position ids.
 */
final class DecoderSession implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final DecoderConfig config;
    private final DType dtype;
    private final boolean kvCache;
    /** Per layer: key then value bytes, with the current past length. */
    private final List<byte[]> past = new ArrayList<>();
    private int pastLen;
    private int batch;

    DecoderSession(GraphBuilder graph, DecoderConfig config, DType dtype, boolean kvCache) throws OrtException {
        this(graph.toModel().toByteArray(), config, dtype, kvCache);
    }

    DecoderSession(byte[] model, DecoderConfig config, DType dtype, boolean kvCache) throws OrtException {
        this(config, dtype, kvCache, model, null);
    }

    /** A session over a model file on disk (external data resolved by ORT beside it). */
    DecoderSession(java.nio.file.Path modelFile, DecoderConfig config, DType dtype) throws OrtException {
        this(config, dtype, true, null, modelFile);
    }

    private DecoderSession(DecoderConfig config, DType dtype, boolean kvCache, byte[] model, java.nio.file.Path file) throws OrtException {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            this.session = model != null ? env.createSession(model, so) : env.createSession(file.toString(), so);
        }
        this.config = config;
        this.dtype = dtype;
        this.kvCache = kvCache;
    }

    /** Starts a new batch with an empty cache. */
    void reset(int batch) {
        this.batch = batch;
        this.pastLen = 0;
        past.clear();
        for (int i = 0; i < 2 * config.numLayers(); i++) {
            past.add(new byte[0]);
        }
    }

    /**
     * Runs ids [batch][seq] with the full mask [batch][past+seq] and positions [batch][seq]; returns logits
     * [batch][seq][vocab] and appends to the cache.
     */
    float[][][] step(long[][] ids, long[][] mask, long[][] positions) throws OrtException {
        int seq = ids[0].length;
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", longs(ids));
            in.put("attention_mask", longs(mask));
            in.put("position_ids", longs(positions));
            long[] pastShape = {batch, config.numKvHeads(), pastLen, config.headDim()};
            if (kvCache) {
                for (int l = 0; l < config.numLayers(); l++) {
                    in.put("past_key_values." + l + ".key", cacheTensor(past.get(2 * l), pastShape));
                    in.put("past_key_values." + l + ".value", cacheTensor(past.get(2 * l + 1), pastShape));
                }
            }
            try (OrtSession.Result r = session.run(in)) {
                OnnxTensor logits = (OnnxTensor) r.get("logits").orElseThrow();
                float[] flat = new float[batch * seq * config.vocabSize()];
                logits.getFloatBuffer().get(flat);
                if (kvCache) {
                    for (int l = 0; l < config.numLayers(); l++) {
                        past.set(2 * l, bytes((OnnxTensor) r.get("present." + l + ".key").orElseThrow()));
                        past.set(2 * l + 1, bytes((OnnxTensor) r.get("present." + l + ".value").orElseThrow()));
                    }
                    pastLen += seq;
                }
                float[][][] out = new float[batch][seq][config.vocabSize()];
                for (int b = 0; b < batch; b++) {
                    for (int t = 0; t < seq; t++) {
                        System.arraycopy(flat, (b * seq + t) * config.vocabSize(), out[b][t], 0, config.vocabSize());
                    }
                }
                return out;
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    /** The float32 cache of layer {@code i / 2} (keys for even {@code i}, values for odd), [batch, kv, past, d] flat. */
    float[] cache(int i) {
        ByteBuffer b = ByteBuffer.wrap(past.get(i)).order(ByteOrder.nativeOrder());
        float[] out = new float[past.get(i).length / Float.BYTES];
        b.asFloatBuffer().get(out);
        return out;
    }

    private OnnxTensor longs(long[][] rows) throws OrtException {
        long[] flat = new long[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return OnnxTensor.createTensor(env, LongBuffer.wrap(flat), new long[] {rows.length, rows[0].length});
    }

    private OnnxTensor cacheTensor(byte[] data, long[] shape) throws OrtException {
        ByteBuffer b = ByteBuffer.allocateDirect(data.length).order(ByteOrder.nativeOrder());
        b.put(data).flip();
        return OnnxTensor.createTensor(env, b, shape, dtype == DType.F16 ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT);
    }

    private static byte[] bytes(OnnxTensor t) {
        ByteBuffer b = t.getByteBuffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
