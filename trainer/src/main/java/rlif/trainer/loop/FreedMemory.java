package rlif.trainer.loop;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import rlif.trainer.metrics.ResidentMemory;

/**
 * Hands the memory one phase of a step freed back to the operating system before the next phase starts, so the
 * peak is the largest phase's rather than their sum (docs/training.md, "Memory"):
 * <ul>
 *   <li>the Java heap: a collection, after which G1 uncommits what it no longer needs (setting up the policy leaves
 *       a copy of the frozen weights behind, and a rollout leaves its logits rows);</li>
 *   <li>the C heap ({@code malloc_trim}, through the JVM's {@code System.trim_native_heap} diagnostic command):
 *       ONNX Runtime's buffers live there, and glibc keeps freed chunks below its mmap threshold (the rollout's KV
 *       caches, a few MB each and one column longer every decode step; the training graph's activations).</li>
 * </ul>
 * {@code -Drlif.releaseMemory=false} turns it off (to measure what it saves). Where the command does not exist
 * (another JVM or C library) only the collection runs.
 */
final class FreedMemory {
    private static final boolean ON = !"false".equals(System.getProperty("rlif.releaseMemory"));
    private static volatile boolean trimAvailable = true;

    private FreedMemory() {}

    /** Releases what the phase that just ended freed. */
    static void release() {
        if (ON) {
            System.gc();
            trimNativeHeap();
        }
    }

    /** {@link #release()}, then the memory trace's line for {@code phase} ({@link ResidentMemory#trace}). */
    static void releaseAfter(String phase) {
        release();
        ResidentMemory.trace(phase);
    }

    /** Trims the C heap; returns false when this JVM cannot. */
    static boolean trimNativeHeap() {
        if (!trimAvailable) {
            return false;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "systemTrimNativeHeap",
                    new Object[] {null}, new String[] {String[].class.getName()});
            return true;
        } catch (Exception | LinkageError e) {
            trimAvailable = false;
            return false;
        }
    }
}
