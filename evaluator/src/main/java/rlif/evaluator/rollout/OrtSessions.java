package rlif.evaluator.rollout;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;

/**
 * The ONNX Runtime session options every rollout engine uses: full optimisation, threads (and whether they spin),
 * the memory arena, and the device.
 */
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
            if (!options.arena()) {
                // Every decode step allocates the whole KV cache anew (present = past + one column) and frees the
                // previous one: in ORT's arena those growing blocks stay as free chunks of odd sizes, while the
                // system allocator hands them back; measured, that is 2% of SmolLM2's peak RSS at batch 8 x 256
                // tokens, and the arena is 2.3x faster on the GPT-2 fixture at batch 16, so it is on by default.
                so.setCPUArenaAllocator(false);
            }
            if (!options.spinning().spinsNow()) {
                so.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            options.device().configure(so);
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }
}
