package rlif.evaluator.rollout;

import java.util.Locale;
import rlif.models.BadInputException;

/** Where ONNX Runtime runs the decoder ({@code --device}). */
public enum Device {
    CPU,
    CUDA;

    /** Parses {@code cpu} or {@code cuda}; anything else is bad input. */
    public static Device parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "cpu" -> CPU;
            case "cuda" -> CUDA;
            default -> throw new BadInputException("--device must be cpu or cuda, got '" + name + "'");
        };
    }
}
