package rlif.evaluator.rollout;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Whether the JVM's JIT compilers have been idle for a while, read from the total compilation time the JVM
 * reports. A warm-up that stops while C2 is still compiling the hot path leaves that compilation, and the slower
 * code it replaces, inside the first timed steps; on a machine whose other core is busy the compiler then takes
 * the caller's core too. Where the JVM does not report compilation time, it counts as always idle.
 */
final class JitActivity {
    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    private final boolean reported = jit != null && jit.isCompilationTimeMonitoringSupported();
    private long lastTotalMillis = reported ? jit.getTotalCompilationTime() : 0;
    private long lastChangeNanos = System.nanoTime();

    /** Whether no compilation has finished in the last {@code millis} ms (since this object was made, at most). */
    boolean idleFor(long millis) {
        if (!reported) {
            return true;
        }
        long now = System.nanoTime();
        long total = jit.getTotalCompilationTime();
        if (total != lastTotalMillis) {
            lastTotalMillis = total;
            lastChangeNanos = now;
        }
        return now - lastChangeNanos >= millis * 1_000_000;
    }
}
