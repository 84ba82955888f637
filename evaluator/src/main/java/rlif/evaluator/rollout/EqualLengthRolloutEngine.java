package rlif.evaluator.rollout;

import ai.onnxruntime.OnnxTensor;
import java.util.List;
import java.util.Map;

/**
 * An engine that generates each batch as sub-batches of equal prompt length ({@link EqualLengthBatches}), for
 * decoders that are exact only on unpadded rows; {@link RolloutEngines#open} puts it around such a decoder's engine.
 */
public final class EqualLengthRolloutEngine implements RolloutEngine {
    private final RolloutEngine inner;

    EqualLengthRolloutEngine(RolloutEngine inner) {
        this.inner = inner;
    }

    /** The engine that generates each sub-batch. */
    public RolloutEngine inner() {
        return inner;
    }

    @Override
    public List<Rollout> generate(List<RolloutRequest> batch, SamplingParams params) {
        return EqualLengthBatches.run(batch, r -> r.promptIds().length, b -> inner.generate(b, params));
    }

    @Override
    public int vocabSize() {
        return inner.vocabSize();
    }

    @Override
    public void warmUp(int rows) {
        inner.warmUp(rows);
    }

    @Override
    public void setConstantInputs(Map<String, OnnxTensor> inputs) {
        inner.setConstantInputs(inputs);
    }

    @Override
    public RolloutStats stats() {
        return inner.stats();
    }

    @Override
    public void close() {
        inner.close();
    }
}
