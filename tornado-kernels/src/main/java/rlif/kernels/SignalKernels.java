package rlif.kernels;

import java.util.List;

/** Picks a {@link SignalKernel} backend by its {@code --kernels} name. */
public final class SignalKernels {
    private SignalKernels() {}

    /** The names {@code --kernels} accepts. */
    public static final List<String> NAMES = List.of("auto", "scalar", "vector", "tornado");

    /** The backend {@code name} on all available processors (where threads apply). */
    public static SignalKernel create(String name) {
        return create(name, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The backend {@code name}; {@code threads} applies to {@code vector}. {@code auto} is {@code tornado} when
     * the TornadoVM runtime is really there, else {@code vector}; {@code tornado} without the runtime is an
     * IllegalArgumentException saying why, never a silent fallback.
     */
    public static SignalKernel create(String name, int threads) {
        return switch (name) {
            case "auto" -> TornadoSignalKernel.runtimeProblem() == null
                    ? TornadoSignalKernel.open() : new VectorSignalKernel(threads);
            case "scalar" -> new ScalarSignalKernel();
            case "vector" -> new VectorSignalKernel(threads);
            case "tornado" -> TornadoSignalKernel.open();
            default -> throw new IllegalArgumentException(
                    "unknown kernel backend '" + name + "' (expected one of " + String.join(", ", NAMES) + ")");
        };
    }
}
