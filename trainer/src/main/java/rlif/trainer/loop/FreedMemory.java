package rlif.trainer.loop;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import rlif.models.BadInputException;
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
 * Only while the process holds more than a floor ({@value #DEFAULT_FLOOR_MB} MiB resident unless
 * {@code -Drlif.releaseMemoryAboveMb=N} says otherwise): what is handed back is faulted in again by the next step,
 * and a full collection costs tens of milliseconds even on a heap of a few MB, so on a small model with sub-second
 * steps releasing cost more time than the memory was worth (the word-level organism: 2 releases per step made a
 * 0.45 s step 0.7 s, to keep a peak of 0.7 GB instead of 0.9 GB; docs/training.md, "Memory"). A process above the
 * floor is released at its next phase boundary, so the floor also bounds what a small model keeps.
 * {@code -Drlif.releaseMemory=false} turns it off (to measure what it saves). Where the command does not exist
 * (another JVM or C library) only the collection runs; where the resident size is unknown (not Linux) every boundary
 * releases.
 */
final class FreedMemory {
    static final long DEFAULT_FLOOR_MB = 1024;
    private static volatile boolean trimAvailable = true;

    private FreedMemory() {}

    /** Releases what the phase that just ended freed, if the process holds more than the floor. */
    static void release() {
        // read at each call (two property look-ups) so that a bad value is a BadInputException, not a class that
        // fails to initialise
        release(floor(System.getProperty("rlif.releaseMemory"), System.getProperty("rlif.releaseMemoryAboveMb")));
    }

    /** Releases if {@link #worthReleasing} the current resident size above {@code floorBytes}; true if it did. */
    static boolean release(long floorBytes) {
        if (!worthReleasing(ResidentMemory.bytes(), floorBytes)) {
            return false;
        }
        System.gc();
        trimNativeHeap();
        return true;
    }

    /** {@link #release()}, then the memory trace's line for {@code phase} ({@link ResidentMemory#trace}). */
    static void releaseAfter(String phase) {
        release();
        ResidentMemory.trace(phase);
    }

    /**
     * Whether a process with {@code residentBytes} resident (-1: unknown) should release, given the floor in bytes
     * (-1: never).
     */
    static boolean worthReleasing(long residentBytes, long floorBytes) {
        return floorBytes >= 0 && (residentBytes < 0 || residentBytes > floorBytes);
    }

    /** The floor in bytes from the two system properties' values (null when unset); -1 when releasing is off. */
    static long floor(String releaseMemory, String aboveMb) {
        if ("false".equals(releaseMemory)) {
            return -1;
        }
        if (aboveMb == null || aboveMb.isBlank()) {
            return DEFAULT_FLOOR_MB << 20;
        }
        long mb;
        try {
            mb = Long.parseLong(aboveMb.trim());
        } catch (NumberFormatException e) {
            mb = -1;
        }
        if (mb < 0 || mb > Long.MAX_VALUE >> 20) {
            throw new BadInputException("-Drlif.releaseMemoryAboveMb: expected a whole number of MiB >= 0, got '"
                    + aboveMb + "'");
        }
        return mb << 20;
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
