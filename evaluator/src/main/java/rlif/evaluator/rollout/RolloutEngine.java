package rlif.evaluator.rollout;

import java.util.List;

/**
 * Generates completions for a batch of prompts with a decoder, recording every signal per decode step.
 * Owns native resources (an ONNX Runtime session): close it.
 */
public interface RolloutEngine extends AutoCloseable {
    /** Generates one rollout per request, in request order. */
    List<Rollout> generate(List<RolloutRequest> batch, SamplingParams params);

    /** The number of logits per step (the model's vocabulary); prompt ids must be below it. */
    int vocabSize();

    @Override
    void close();
}
