package rlif.evaluator.rollout;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;

/** The ONNX Runtime session options every rollout engine uses: full optimisation, threads, and the device. */
final class OrtSessions {
    private OrtSessions() {}

    /** Options for {@code options}; the caller closes them. A device this build cannot use is bad input ({@link Device#configure}). */
    static OrtSession.SessionOptions options(EngineOptions options) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            if (options.intraOpThreads() > 0) {
                so.setIntraOpNumThreads(options.intraOpThreads());
            }
            options.device().configure(so);
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }
}
