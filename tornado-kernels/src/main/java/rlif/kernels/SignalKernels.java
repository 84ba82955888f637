package rlif.kernels;

import java.util.List;

/** Picks a {@link SignalKernel} backend by its {@code --kernels} name. */
public final class SignalKernels {
    private SignalKernels() {}

    /** The names {@code --kernels} accepts. */
    public static final List<String> NAMES = List.of("auto", "scalar");

    public static SignalKernel create(String name) {
        return switch (name) {
            case "auto", "scalar" -> new ScalarSignalKernel();
            default -> throw new IllegalArgumentException(
                    "unknown kernel backend '" + name + "' (expected one of " + String.join(", ", NAMES) + ")");
        };
    }
}
