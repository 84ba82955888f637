package rlif.evaluator.rollout;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.EnumSet;
import rlif.models.BadInputException;

/** The ONNX Runtime session options every rollout engine uses: full optimisation, threads, and the device. */
final class OrtSessions {
    private OrtSessions() {}

    /**
     * Options for {@code options}; the caller closes them. {@link Device#CUDA} without a CUDA-enabled ONNX Runtime
     * (the default CPU build) is bad input, saying how to get one.
     */
    static OrtSession.SessionOptions options(EngineOptions options) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            if (options.intraOpThreads() > 0) {
                so.setIntraOpNumThreads(options.intraOpThreads());
            }
            if (options.device() == Device.CUDA) {
                EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
                if (!available.contains(OrtProvider.CUDA)) {
                    throw new BadInputException("--device cuda: this ONNX Runtime has no CUDA execution provider"
                            + " (available: " + available + "); run with RLIF_CUDA=1 bin/rlif (docs/gpu.md) on a"
                            + " machine with CUDA, or use --device cpu");
                }
                try {
                    so.addCUDA(0);
                } catch (OrtException e) {
                    throw new BadInputException("--device cuda: cannot start the CUDA execution provider (ONNX Runtime"
                            + " 1.29 needs an NVIDIA driver and the CUDA 12.x and cuDNN 9.x libraries on LD_LIBRARY_PATH;"
                            + " docs/gpu.md): " + e.getMessage(), e);
                }
            }
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }
}
