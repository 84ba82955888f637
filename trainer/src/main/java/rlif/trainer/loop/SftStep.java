package rlif.trainer.loop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.evaluator.data.Problem;
import rlif.trainer.batch.MicroBatch;
import rlif.trainer.batch.MicroBatcher;
import rlif.trainer.batch.Sequence;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.data.TrainingData;

/**
 * A supervised step: {@code batch_size} training problems, each its prompt followed by its worked solution and
 * eos, cross-entropy on the solution tokens, in micro-batches of {@code per_device_train_batch_size}.
 */
final class SftStep implements TrainingStep {
    private final TrainConfig.Sft settings;
    private final TrainingData data;
    private final StartingModel model;
    private final OptimizerStep optimizer;
    private long inputTokens;

    SftStep(TrainConfig.Sft settings, TrainingData data, StartingModel model, OptimizerStep optimizer) {
        this.settings = settings;
        this.data = data;
        this.model = model;
        this.optimizer = optimizer;
    }

    /** The teacher-forced sequences of {@code problems} (prompt, then solution and eos). */
    static List<Sequence> sequences(StartingModel model, List<Problem> problems) {
        List<Sequence> out = new ArrayList<>();
        for (Problem p : problems) {
            out.add(Sequence.supervised(model.promptIds(p), model.solutionIds(p)));
        }
        return out;
    }

    @Override
    public Map<String, Object> run(long step) {
        long t0 = System.nanoTime();
        List<Sequence> seqs = sequences(model, data.train(step, settings.batchSize()));
        List<MicroBatch> micro = MicroBatcher.supervised(seqs, settings.microBatchSize(), settings.maxLength(),
                model.padId());
        inputTokens = 0;
        for (MicroBatch m : micro) {
            for (long a : m.batch().attentionMask()) {
                inputTokens += a;
            }
        }
        long t1 = System.nanoTime();
        OptimizerStep.Outcome o = optimizer.apply(micro, step);
        Map<String, Object> row = new LinkedHashMap<>(o.metrics());
        row.put("seconds_data", (t1 - t0) / 1e9);
        return row;
    }

    @Override
    public long inputTokens() {
        return inputTokens;
    }
}
