package rlif.evaluator.rollout;

import ai.onnxruntime.OnnxTensor;
import java.util.List;
import java.util.Map;

/**
 * Generates completions for a batch of prompts with a decoder, recording every signal per decode step.
 * Owns native resources (an ONNX Runtime session): close it.
 */
public interface RolloutEngine extends AutoCloseable {
    /** Generates one rollout per request, in request order. */
    List<Rollout> generate(List<RolloutRequest> batch, SamplingParams params);

    /** The number of logits per step (the model's vocabulary); prompt ids must be below it. */
    int vocabSize();

    /**
     * Pays the one-off costs of the first {@code generate} (JIT compilation, first-run allocations) up front, for
     * batches of up to {@code rows} rows, so that timing {@code generate} measures generation. Optional; the default
     * does nothing.
     */
    default void warmUp(int rows) {}

    /**
     * Extra decoder inputs fed unchanged to every run from now on (the trainer's current LoRA or full weights, so
     * the policy samples without being re-exported); the caller owns and closes the tensors. The directory must have
     * been opened with these names in {@code ModelDirectory.open(dir, fedByCaller)}.
     */
    void setConstantInputs(Map<String, OnnxTensor> inputs);

    /** Where time went, summed over every {@code generate} so far. */
    RolloutStats stats();

    @Override
    void close();
}
