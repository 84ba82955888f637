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
     * Off when the machine already looks shared as the session is created: a 1-minute load average of at least half
     * the processors (on 2 cores, one other CPU-bound process), otherwise on, ONNX Runtime's default.
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

    /** Whether threads spin, given the 1-minute load average (negative: unknown) and the processor count. */
    public boolean spins(double loadAverage, int processors) {
        return switch (this) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> loadAverage < 0 || loadAverage < processors / 2.0;
        };
    }

    /** Whether threads spin on this machine now. */
    public boolean spinsNow() {
        return spins(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }
}
