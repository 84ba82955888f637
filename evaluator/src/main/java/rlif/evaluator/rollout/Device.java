package rlif.evaluator.rollout;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.EnumSet;
import java.util.Locale;
import rlif.models.BadInputException;

/** Where ONNX Runtime runs a session ({@code --device}): the rollout engine's decoder and the training graphs alike. */
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

    /**
     * Refuses a device this ONNX Runtime build has no execution provider for, before any work starts (a job checks
     * this before it writes anything).
     */
    public void requireAvailable() {
        EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
        if (this == CUDA && !available.contains(OrtProvider.CUDA)) {
            throw new BadInputException("--device cuda: this ONNX Runtime has no CUDA execution provider"
                    + " (available: " + available + "); run with RLIF_CUDA=1 bin/rlif (docs/gpu.md) on a machine with CUDA,"
                    + " or use --device cpu");
        }
    }

    /**
     * Adds this device's execution provider to session options. CUDA without a CUDA-enabled ONNX Runtime, or
     * one whose provider cannot start, is bad input: the user asked for hardware this build cannot use.
     */
    public void configure(OrtSession.SessionOptions so) {
        if (this != CUDA) {
            return;
        }
        requireAvailable();
        try {
            so.addCUDA(0);
        } catch (OrtException e) {
            throw new BadInputException("--device cuda: cannot start the CUDA execution provider (ONNX Runtime 1.29"
                    + " needs an NVIDIA driver and the CUDA 12.x and cuDNN 9.x libraries on LD_LIBRARY_PATH; docs/gpu.md): "
                    + e.getMessage(), e);
        }
    }
}
