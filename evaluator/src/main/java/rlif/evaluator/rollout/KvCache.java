package rlif.evaluator.rollout;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import rlif.models.dir.CacheLayout;
import rlif.models.dir.DecoderIo;

/**
 * The key/value state carried from one decoder run to the next, with explicit ownership: either the
 * {@link OrtSession.Result} whose present outputs it holds, or tensors it built itself (over memory it allocated, or
 * over one set of the engine's {@link PresentBuffers}). Closing it frees exactly what it owns.
 */
final class KvCache implements AutoCloseable {
    private final OnnxTensor[] tensors;
    private final OrtSession.Result owner;
    private final CacheLayout layout;
    private final int presentSet;

    private KvCache(OnnxTensor[] tensors, OrtSession.Result owner, CacheLayout layout) {
        this(tensors, owner, layout, -1);
    }

    private KvCache(OnnxTensor[] tensors, OrtSession.Result owner, CacheLayout layout, int presentSet) {
        this.tensors = tensors;
        this.owner = owner;
        this.layout = layout;
        this.presentSet = presentSet;
    }

    /** A cache of tensors over set {@code presentSet} of a {@link PresentBuffers}; closing it closes the tensors only. */
    static KvCache over(OnnxTensor[] tensors, CacheLayout layout, int presentSet) {
        return new KvCache(tensors, null, layout, presentSet);
    }

    /** The {@link PresentBuffers} set this cache's memory belongs to, or -1 when it is not one of theirs. */
    int presentSet() {
        return presentSet;
    }

    /** A cache of length zero for {@code batch} rows: what the first run sees. */
    static KvCache empty(OrtEnvironment env, DecoderIo io, int batch, int kvHeads, int headSize, OnnxJavaType type)
            throws OrtException {
        OnnxTensor[] ts = new OnnxTensor[io.pastInputs().size()];
        try {
            for (int i = 0; i < ts.length; i++) {
                ByteBuffer none = ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());
                ts[i] = OnnxTensor.createTensor(env, none, io.cacheLayout().shape(batch, kvHeads, 0, headSize), type);
            }
        } catch (OrtException | RuntimeException e) {
            closeAll(ts);
            throw e;
        }
        return new KvCache(ts, null, io.cacheLayout());
    }

    /** Takes the present outputs of {@code result} as the next run's past; the cache now owns the result. */
    static KvCache adopt(OrtSession.Result result, List<String> presentNames, CacheLayout layout) {
        OnnxTensor[] ts = new OnnxTensor[presentNames.size()];
        for (int i = 0; i < ts.length; i++) {
            String name = presentNames.get(i);
            OnnxValue v = result.get(name).orElseThrow(() -> new IllegalStateException(
                    "decoder run returned no " + name));
            ts[i] = (OnnxTensor) v;
        }
        return new KvCache(ts, result, layout);
    }

    OnnxTensor tensor(int i) {
        return tensors[i];
    }

    int size() {
        return tensors.length;
    }

    /** Batch rows (the batch axis of every tensor). */
    long rows() {
        return tensors[0].getInfo().getShape()[layout.batchAxis()];
    }

    /** Cached positions (the sequence axis of every tensor). */
    long length() {
        return tensors[0].getInfo().getShape()[layout.seqAxis()];
    }

    /**
     * A new cache holding only rows {@code keep} (in that order) and only sequence positions from
     * {@code trim} on; this cache stays open and is the caller's to close.
     */
    KvCache gather(OrtEnvironment env, int[] keep, int trim) throws OrtException {
        OnnxTensor[] out = new OnnxTensor[tensors.length];
        try {
            for (int i = 0; i < tensors.length; i++) {
                out[i] = gather(env, tensors[i], keep, trim);
            }
        } catch (OrtException | RuntimeException e) {
            closeAll(out);
            throw e;
        }
        return new KvCache(out, null, layout);
    }

    /**
     * The caches of consecutive row groups joined along the batch axis, in order; every part must have the
     * same sequence length. The parts stay open and are the caller's to close.
     */
    static KvCache concat(OrtEnvironment env, List<KvCache> parts) throws OrtException {
        KvCache first = parts.get(0);
        OnnxTensor[] out = new OnnxTensor[first.tensors.length];
        try {
            for (int i = 0; i < out.length; i++) {
                out[i] = concat(env, parts, i, first.layout);
            }
        } catch (OrtException | RuntimeException e) {
            closeAll(out);
            throw e;
        }
        return new KvCache(out, null, first.layout);
    }

    private static OnnxTensor concat(OrtEnvironment env, List<KvCache> parts, int index, CacheLayout layout)
            throws OrtException {
        int batchAxis = layout.batchAxis();
        long[] shape = parts.get(0).tensors[index].getInfo().getShape().clone();
        OnnxJavaType type = parts.get(0).tensors[index].getInfo().type;
        int elem = type == OnnxJavaType.FLOAT16 ? 2 : 4;
        long outer = 1;
        for (int a = 0; a < batchAxis; a++) {
            outer *= shape[a];
        }
        long perRow = elem;
        for (int a = batchAxis + 1; a < shape.length; a++) {
            perRow *= shape[a];
        }
        long rows = 0;
        ByteBuffer[] sources = new ByteBuffer[parts.size()];
        long[] partRows = new long[parts.size()];
        for (int p = 0; p < parts.size(); p++) {
            long[] s = parts.get(p).tensors[index].getInfo().getShape();
            partRows[p] = s[batchAxis];
            rows += s[batchAxis];
            sources[p] = parts.get(p).tensors[index].getByteBuffer(); // a copy; once per generate call
        }
        shape[batchAxis] = rows;
        ByteBuffer dst = ByteBuffer.allocateDirect(Math.toIntExact(outer * rows * perRow)).order(ByteOrder.nativeOrder());
        for (long o = 0; o < outer; o++) {
            for (int p = 0; p < parts.size(); p++) {
                int len = Math.toIntExact(partRows[p] * perRow);
                dst.put(dst.position(), sources[p], Math.toIntExact(o * len), len);
                dst.position(dst.position() + len);
            }
        }
        dst.rewind();
        return OnnxTensor.createTensor(env, dst, shape, type);
    }

    private OnnxTensor gather(OrtEnvironment env, OnnxTensor t, int[] keep, int trim) throws OrtException {
        long[] shape = t.getInfo().getShape();
        OnnxJavaType type = t.getInfo().type;
        int elem = type == OnnxJavaType.FLOAT16 ? 2 : 4;
        int batchAxis = layout.batchAxis();
        int seqAxis = layout.seqAxis();
        long outer = 1;
        for (int a = 0; a < batchAxis; a++) {
            outer *= shape[a];
        }
        long mid = 1; // axes between batch and sequence (heads)
        for (int a = batchAxis + 1; a < seqAxis; a++) {
            mid *= shape[a];
        }
        long inner = 1; // axes after sequence (head size)
        for (int a = seqAxis + 1; a < shape.length; a++) {
            inner *= shape[a];
        }
        long seq = shape[seqAxis];
        long rows = shape[batchAxis];
        long[] newShape = shape.clone();
        newShape[batchAxis] = keep.length;
        newShape[seqAxis] = seq - trim;
        long runBytes = (seq - trim) * inner * elem;
        ByteBuffer src = t.getByteBuffer(); // a copy; compaction is rare, so one copy per tensor is fine
        ByteBuffer dst = ByteBuffer.allocateDirect(Math.toIntExact(outer * keep.length * mid * runBytes))
                .order(ByteOrder.nativeOrder());
        for (long o = 0; o < outer; o++) {
            for (int row : keep) {
                for (long h = 0; h < mid; h++) {
                    long from = ((((o * rows) + row) * mid + h) * seq + trim) * inner * elem;
                    dst.put(dst.position(), src, Math.toIntExact(from), Math.toIntExact(runBytes));
                    dst.position(Math.toIntExact(dst.position() + runBytes));
                }
            }
        }
        dst.rewind();
        return OnnxTensor.createTensor(env, dst, newShape, type);
    }

    @Override
    public void close() {
        if (owner != null) {
            owner.close();
        } else {
            closeAll(tensors);
        }
    }

    static void closeAll(OnnxTensor[] ts) {
        for (OnnxTensor t : ts) {
            if (t != null) {
                t.close();
            }
        }
    }
}
