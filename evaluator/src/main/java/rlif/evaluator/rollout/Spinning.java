package rlif.evaluator.rollout;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import rlif.models.BadInputException;

/**
 * Whether ONNX Runtime's intra-op threads spin while they wait for work ({@code session.intra_op.allow_spinning}).
 * Spinning saves a wake-up per parallel operator when the cores are free; when other processes want them, the
 * spinning threads take their time slices and the decoder's own threads wait for each other (a busy loop beside
 * rlif on 2 cores: the tiny llama fixture 1.4x faster at batch 1 and 1.4-4.9x at batch 16 with spinning off,
 * docs/rollout-engine.md).
 */
public enum Spinning {
    ON,
    OFF,
    /**
     * Off when the machine is shared as the session is created: other processes kept at least half the processors
     * busy over the last {@value #SAMPLE_MILLIS} ms (on 2 cores, one CPU-bound process), otherwise on, ONNX Runtime's
     * default. Not the 1-minute load average, which still counted a benchmark's previous process (ORT-GenAI's
     * spinning threads left 1.6 on an otherwise idle machine, so rlif stopped spinning in the "quiet" peer run).
     */
    AUTO;

    /** The names {@code --spinning} takes. */
    public static final String NAMES = "auto, on, off";

    public static Spinning parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--spinning " + name + " is not one of " + NAMES);
        }
    }

    /** Length of the CPU sample {@link #spinsNow} takes. */
    static final long SAMPLE_MILLIS = 100;
    /** A sample is reused for this long, so that opening several sessions in a row samples once. */
    private static final long REUSE_MILLIS = 10_000;
    private static long sampledAt = Long.MIN_VALUE;
    private static double sampledBusy;

    /** Whether threads spin, given the processor-equivalents other processes keep busy (negative: unknown). */
    public boolean spins(double othersBusy, int processors) {
        return switch (this) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> othersBusy < 0 || othersBusy < processors / 2.0;
        };
    }

    /** Whether threads spin on this machine now. */
    public boolean spinsNow() {
        return this == AUTO ? spins(othersBusy(), Runtime.getRuntime().availableProcessors()) : this == ON;
    }

    /**
     * Processor-equivalents other processes used over the last {@value #SAMPLE_MILLIS} ms: the whole machine's CPU
     * load less this process's, from the JDK's operating-system bean (on Linux, {@code /proc/stat} and this process's
     * times); negative when the platform does not say.
     */
    static synchronized double othersBusy() {
        long now = System.nanoTime() / 1_000_000;
        if (sampledAt != Long.MIN_VALUE && now - sampledAt < REUSE_MILLIS) {
            return sampledBusy;
        }
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)) {
            return -1;
        }
        os.getCpuLoad(); // both loads are measured from the previous call
        os.getProcessCpuLoad();
        try {
            Thread.sleep(SAMPLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        double all = os.getCpuLoad();
        double own = os.getProcessCpuLoad();
        double busy = all < 0 || own < 0 ? -1 : Math.max(0, all - own) * os.getAvailableProcessors();
        sampledAt = System.nanoTime() / 1_000_000;
        sampledBusy = busy;
        return busy;
    }
}
