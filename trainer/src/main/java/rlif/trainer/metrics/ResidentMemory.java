package rlif.trainer.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The process's resident memory as Linux reports it in {@code /proc/self/status}: {@code VmRSS} now and
 * {@code VmHWM}, its peak since start (or since {@link #resetPeak()}). Both count the JVM heap and ONNX Runtime's
 * native buffers alike, which is what decides whether a run fits the machine. Elsewhere they report -1.
 *
 * <p>With {@code -Drlif.trace.memory=true} (or {@code RLIF_TRACE_MEMORY=1}) {@link #trace} prints one line per
 * phase boundary to stderr with the resident size and the peak reached <em>during</em> the phase, resetting the
 * kernel's peak after each line. {@link #peakBytes()} still reports the process's peak (it keeps the highest
 * phase peak), but {@code /usr/bin/time -v} cannot: trace and measure with it in separate runs.
 */
public final class ResidentMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final boolean TRACE = Boolean.getBoolean("rlif.trace.memory")
            || "1".equals(System.getenv("RLIF_TRACE_MEMORY"));
    private static final long TRACE_START = System.nanoTime();

    private ResidentMemory() {}

    /** Resident bytes now, or -1 when unknown. */
    public static long bytes() {
        return field("VmRSS:");
    }

    /**
     * The highest peak a {@link #trace} line saw before it reset the kernel's counter, so that tracing does not
     * lower {@link #peakBytes()} (and with it {@code memory/peak_rss_mb}); cleared by {@link #resetPeak()}.
     */
    private static volatile long tracedPeak = -1;

    /** Peak resident bytes since start or the last {@link #resetPeak()}, or -1 when unknown. */
    public static long peakBytes() {
        long hwm = field("VmHWM:");
        return hwm < 0 ? -1 : Math.max(hwm, tracedPeak);
    }

    /** Starts a new peak from the current resident size; false where the kernel does not offer it. */
    public static boolean resetPeak() {
        tracedPeak = -1;
        return resetKernelPeak();
    }

    private static boolean resetKernelPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** When tracing, prints {@code phase}'s end: resident MB now and the peak MB during it; then resets the peak. */
    public static void trace(String phase) {
        if (TRACE) {
            endPhase(phase, System.err);
        }
    }

    /** Prints {@code phase}'s line to {@code out} and starts the next phase's peak, keeping the process's. */
    static void endPhase(String phase, java.io.PrintStream out) {
        long phasePeak = field("VmHWM:");
        out.printf(Locale.ROOT, "memory: %-40s rss %6d MB  phase peak %6d MB  heap used %5d MB  t %.1f s%n",
                phase, bytes() >> 20, phasePeak >> 20,
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20,
                (System.nanoTime() - TRACE_START) / 1e9);
        tracedPeak = Math.max(tracedPeak, phasePeak);
        resetKernelPeak();
    }

    private static long field(String key) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
