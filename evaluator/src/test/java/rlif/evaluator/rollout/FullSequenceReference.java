package rlif.evaluator.rollout;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.util.HashMap;
import java.util.Map;
import rlif.models.dir.DecoderIo;
import rlif.models.dir.ModelConfig;
import rlif.models.dir.ModelDirectory;
import rlif.models.tensor.DType;

/**
 * The engine's independent reference: one unpadded sequence fed whole with an empty cache, every
 * position's logits returned in double. No cache is carried and nothing is shared with the engine's code.
 */
final class FullSequenceReference implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final DecoderIo io;
    private final ModelConfig config;

    FullSequenceReference(ModelDirectory model) throws OrtException {
        this.io = model.io();
        this.config = model.config();
        this.session = env.createSession(config.decoderFile().toString(), new OrtSession.SessionOptions());
    }

    /** Logits {@code [ids.length][vocab]} for the sequence {@code ids}. */
    double[][] logits(int[] ids) throws OrtException {
        int n = ids.length;
        long[] shape = {1, n};
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            long[] pos = new long[n];
            long[] ones = new long[n];
            long[] tok = new long[n];
            for (int i = 0; i < n; i++) {
                pos[i] = i;
                ones[i] = 1;
                tok[i] = ids[i];
            }
            in.put(io.inputIds(), ints(tok, shape));
            in.put(io.attentionMask(), ints(ones, shape));
            if (io.positionIds().isPresent()) {
                in.put(io.positionIds().get(), ints(pos, shape));
            }
            OnnxJavaType kv = config.kvType() == DType.F16 ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT;
            for (String p : io.pastInputs()) {
                long[] s = io.cacheLayout().shape(1, config.kvHeads(), 0, config.headSize());
                in.put(p, OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()), s, kv));
            }
            try (OrtSession.Result r = session.run(in)) {
                OnnxTensor logits = (OnnxTensor) r.get(io.logits()).orElseThrow();
                int vocab = config.vocab();
                double[][] out = new double[n][vocab];
                if (config.logitsType() == DType.F16) {
                    ShortBuffer b = logits.getShortBuffer();
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < vocab; j++) {
                            out[i][j] = Float.float16ToFloat(b.get(i * vocab + j));
                        }
                    }
                } else {
                    FloatBuffer b = logits.getFloatBuffer();
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < vocab; j++) {
                            out[i][j] = b.get(i * vocab + j);
                        }
                    }
                }
                return out;
            }
        } finally {
            for (OnnxTensor t : in.values()) {
                t.close();
            }
        }
    }

    private OnnxTensor ints(long[] v, long[] shape) throws OrtException {
        if (config.inputIdType() == DType.I64) {
            return OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape);
        }
        int[] w = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            w[i] = (int) v[i];
        }
        return OnnxTensor.createTensor(env, IntBuffer.wrap(w), shape);
    }

    /** Index of the largest value, the lowest index on ties (the engine's greedy rule). */
    static int argmax(double[] row) {
        int best = 0;
        for (int j = 1; j < row.length; j++) {
            if (row[j] > row[best]) {
                best = j;
            }
        }
        return best;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
