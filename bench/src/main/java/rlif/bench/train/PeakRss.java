package rlif.bench.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's peak resident set size as Linux reports it ({@code VmHWM} in {@code /proc/self/status}): the
 * JVM heap and ONNX Runtime's native buffers alike, which is what decides whether a run fits the machine. Reset
 * between cases by writing 5 to {@code /proc/self/clear_refs}. Elsewhere both are unavailable and report -1.
 */
public final class PeakRss {
    private static final Path STATUS = Path.of("/proc/self/status");

    private PeakRss() {}

    /** Starts a new peak from the current resident size; false where the kernel does not offer it. */
    public static boolean reset() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Peak resident bytes since start or the last {@link #reset()}, or -1 when unknown. */
    public static long bytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
