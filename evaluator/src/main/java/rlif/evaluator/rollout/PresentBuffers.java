package rlif.evaluator.rollout;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import rlif.models.dir.CacheLayout;
import rlif.models.tensor.Tensor;

/**
 * Two sets of native buffers a decode step's present key/values are written into, alternately: step k reads its past
 * from one set and ONNX Runtime writes its present into the other, so that it neither allocates the cache each step
 * nor hands it back through a new Java object per tensor (ORT-GenAI binds its present outputs the same way). On the
 * tiny GPT-2 fixture, where a whole step on one thread is about 70 us, that was 9 us of each step at batch 1 in a bare
 * ONNX Runtime loop. At batch 16 the loop saw no difference but rlif ran 12% slower with them, for a reason not found,
 * so the default budget only admits small caches (docs/rollout-engine.md).
 *
 * <p>Each set holds one region per cache tensor, sized for the run's widest shape (its first row count, the prompt
 * plus every new token); a step's tensor is the first {@code rows x total} of its region, row-major, which is what
 * ONNX Runtime writes. The sets are the engine's {@link DirectBuffers}, kept across calls, so a run may use them only
 * within a budget ({@link EngineOptions#presentBufferBudget}); larger runs leave the allocation to ONNX Runtime.
 */
final class PresentBuffers {
    /**
     * Alignment of every region, as ONNX Runtime aligns what it allocates (a direct buffer only starts on a 16-byte
     * boundary). In a bare ONNX Runtime loop on the GPT-2 fixture at batch 16 (fastest of 30 calls) aligned sets were
     * as fast as ORT's own presents and unaligned ones 1-2% slower; at batch 1 both saved 12-13% of a step.
     */
    static final int ALIGN = 64;
    private final ByteBuffer[] sets;
    private final int tensors;
    private final long region;
    private final CacheLayout layout;
    private final int kvHeads;
    private final int headSize;
    private final OnnxJavaType type;
    private final int elementBytes;
    /** The set the current cache lives in, or -1 when it lives elsewhere (ONNX Runtime's prefill, a compaction). */
    private int current = -1;

    private PresentBuffers(ByteBuffer[] sets, int tensors, long region, CacheLayout layout, int kvHeads, int headSize,
            OnnxJavaType type, int elementBytes) {
        this.sets = sets;
        this.tensors = tensors;
        this.region = region;
        this.layout = layout;
        this.kvHeads = kvHeads;
        this.headSize = headSize;
        this.type = type;
        this.elementBytes = elementBytes;
    }

    /**
     * Buffers for {@code tensors} cache tensors of up to {@code rows} rows and {@code maxTotal} positions, or null
     * when both sets together would exceed {@code budget} bytes.
     */
    static PresentBuffers forRun(DirectBuffers buffers, int tensors, CacheLayout layout, int rows, int kvHeads,
            int headSize, long maxTotal, OnnxJavaType type, int elementBytes, long budget) {
        long[] widest = layout.shape(rows, kvHeads, Math.toIntExact(maxTotal), headSize);
        long region = (Tensor.elementCount(widest) * elementBytes + ALIGN - 1) / ALIGN * ALIGN;
        long set = region * tensors;
        if (2 * set > budget) {
            return null;
        }
        ByteBuffer[] sets = {buffers.get(DirectBuffers.Slot.PRESENT_EVEN, set + ALIGN).alignedSlice(ALIGN),
                buffers.get(DirectBuffers.Slot.PRESENT_ODD, set + ALIGN).alignedSlice(ALIGN)};
        return new PresentBuffers(sets, tensors, region, layout, kvHeads, headSize, type, elementBytes);
    }

    /**
     * Present tensors of {@code rows} rows and {@code total} positions over the set the current cache does not use;
     * the returned cache closes its tensors, never the memory under them. Call {@link #adopted} once the step that
     * wrote them succeeded.
     */
    KvCache nextPresent(OrtEnvironment env, int rows, long total) throws OrtException {
        int target = current == 0 ? 1 : 0;
        long[] shape = layout.shape(rows, kvHeads, Math.toIntExact(total), headSize);
        long bytes = Tensor.elementCount(shape) * elementBytes;
        OnnxTensor[] ts = new OnnxTensor[tensors];
        try {
            for (int i = 0; i < tensors; i++) {
                ByteBuffer view = sets[target].duplicate().clear()
                        .position(Math.toIntExact(i * region)).limit(Math.toIntExact(i * region + bytes))
                        .slice().order(ByteOrder.nativeOrder());
                ts[i] = OnnxTensor.createTensor(env, view, shape, type);
            }
        } catch (OrtException | RuntimeException e) {
            KvCache.closeAll(ts);
            throw e;
        }
        return KvCache.over(ts, layout, target);
    }

    /** The cache now lives in {@code cache}'s set (or elsewhere, when it is not one of these buffers'). */
    void adopted(KvCache cache) {
        current = cache.presentSet();
    }
}
