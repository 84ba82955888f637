package rlif.evaluator.rollout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Native-order direct buffers the engine reuses across {@code generate} calls, one per purpose, grown
 * on demand, so that decoding does not allocate (and leave for the GC to free) off-heap memory per call.
 */
final class DirectBuffers {
    /** What a buffer is for. */
    enum Slot { INPUT_IDS, POSITION_IDS, ATTENTION_MASK, STEP_LOGITS, PREFILL_LOGITS, TARGET_IDS, PRESENT_EVEN, PRESENT_ODD }

    private final ByteBuffer[] buffers = new ByteBuffer[Slot.values().length];

    /** A cleared buffer of at least {@code bytes} for {@code slot}; valid until the next call for the slot. */
    ByteBuffer get(Slot slot, long bytes) {
        ByteBuffer b = buffers[slot.ordinal()];
        if (b == null || b.capacity() < bytes) {
            long grown = b == null ? bytes : Math.max(bytes, Math.min(Integer.MAX_VALUE, b.capacity() * 3L / 2));
            b = ByteBuffer.allocateDirect(Math.toIntExact(grown)).order(ByteOrder.nativeOrder());
            buffers[slot.ordinal()] = b;
        }
        b.clear();
        return b;
    }

    /**
     * Forgets every buffer, so that the next {@link #get} of each slot allocates. The warm-up calls this before some
     * of its calls: C2 compiles a branch it never saw taken as a trap, so a warm-up whose buffers were all allocated
     * by its first call left the growth in {@code get} as one, and the first real call with a longer prompt
     * deoptimized the compiled decode loop and ran the rest of its steps interpreted or in C1's code (seen with
     * {@code -Xlog:deoptimization=debug}: {@code DirectBuffers.get} {@code unstable_if} at the first timed call).
     */
    void forgetAll() {
        java.util.Arrays.fill(buffers, null);
    }
}
