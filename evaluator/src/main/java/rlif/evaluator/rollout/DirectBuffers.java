package rlif.evaluator.rollout;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Native-order direct buffers the engine reuses across {@code generate} calls, one per purpose, grown
 * on demand, so that decoding does not allocate (and leave for the GC to free) off-heap memory per call.
 */
final class DirectBuffers {
    /** What a buffer is for. */
    enum Slot { INPUT_IDS, POSITION_IDS, ATTENTION_MASK, STEP_LOGITS, PREFILL_LOGITS, TARGET_IDS, PRESENT_EVEN, PRESENT_ODD }

    /**
     * {@code sun.misc.Unsafe.invokeCleaner}, bound to the instance, or null where this JVM has none: the one way to
     * free a direct buffer at once in Java 21 ({@code Arena} is final only from 22). Without it a released buffer is
     * freed when the collector finds it, as before.
     */
    private static final MethodHandle FREE = invokeCleaner();

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
     * Frees {@code slot}'s buffer now; the next {@link #get} allocates. For a buffer that is large and used once per
     * call (the prefill's {@code [rows, prompt, vocab]} logits: 12 MiB for one SmolLM2 prompt of 64 tokens, 25 MiB for a
     * group of two), so that it is not held through the decode steps that follow, where the peak is. Freeing costs the
     * next call one allocation, against a prefill that computes that many logits. The memory is gone at once: the
     * caller must have closed every tensor over the buffer and keep no slice of it.
     */
    void release(Slot slot) {
        ByteBuffer b = buffers[slot.ordinal()];
        buffers[slot.ordinal()] = null;
        if (b != null && FREE != null) {
            try {
                FREE.invokeExact(b);
            } catch (Throwable e) {
                throw new IllegalStateException("could not free a direct buffer", e);
            }
        }
    }

    /**
     * {@link #release Releases} every buffer, so that the next {@link #get} of each slot allocates. The warm-up calls
     * this between some of its calls (no run is open then): C2 compiles a branch it never saw taken as a trap, so a
     * warm-up whose buffers were all allocated by its first call left the growth in {@code get} as one, and the first
     * real call with a longer prompt deoptimized the compiled decode loop and ran the rest of its steps interpreted
     * or in C1's code (seen with {@code -Xlog:deoptimization=debug}: {@code DirectBuffers.get} {@code unstable_if} at
     * the first timed call).
     */
    void releaseAll() {
        for (Slot slot : Slot.values()) {
            release(slot);
        }
    }

    private static MethodHandle invokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(theUnsafe.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
