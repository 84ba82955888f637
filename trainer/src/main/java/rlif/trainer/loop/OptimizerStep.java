package rlif.trainer.loop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.trainer.batch.MicroBatch;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.graph.Gradients;
import rlif.trainer.graph.TrainingSession;
import rlif.trainer.metrics.ResidentMemory;
import rlif.trainer.objective.LossHeads;
import rlif.trainer.optim.AdamW;
import rlif.trainer.optim.GradientClipping;

/**
 * One optimiser update from a step's micro-batches: forward and backward of each micro-batch with its
 * gradient added to the step's ({@link Gradients}), global-norm clipping, a check that the update is worth
 * taking, AdamW at the scheduled rate, and the new trainables handed to the rollout engine.
 *
 * <p>A step whose loss or gradient is not finite, or whose gradient is exactly zero (every group flat and no
 * KL or entropy term: AdamW would otherwise keep moving the weights along its stale momentum), is skipped.
 */
final class OptimizerStep {
    private final Policy policy;
    private final AdamW adamw;
    private final TrainConfig.Optimization settings;

    OptimizerStep(Policy policy, TrainConfig.Optimization settings) {
        this.policy = policy;
        this.settings = settings;
        this.adamw = new AdamW(settings.adamw());
    }

    AdamW adamw() {
        return adamw;
    }

    /**
     * What the update did: the step's loss, the gradient norm before clipping, the rate, the graph statistics
     * summed over micro-batches, the tokens trained on, why it was skipped (null if applied), and the seconds spent
     * in the training graph and the optimiser.
     */
    record Outcome(double loss, double gradNorm, double learningRate, Map<String, Double> statistics, long tokens,
            String skipped, double graphSeconds, double optimizerSeconds) {
        /**
         * The update's metrics under TRL's names: loss, grad_norm, learning_rate, the graph statistics as means over
         * the trained tokens ({@code entropy}; for GRPO {@code kl} when beta > 0 and the {@code clip_ratio/*} shares),
         * why it was skipped, and the seconds it took.
         */
        Map<String, Object> metrics() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("loss", loss);
            m.put("grad_norm", gradNorm);
            m.put("learning_rate", learningRate);
            double n = Math.max(1, tokens);
            m.put("entropy", statistics.get(LossHeads.ENTROPY_SUM) / n);
            if (statistics.containsKey(LossHeads.KL_SUM)) {
                m.put("kl", statistics.get(LossHeads.KL_SUM) / n);
            }
            if (statistics.containsKey(LossHeads.CLIP_LOW)) {
                double low = statistics.get(LossHeads.CLIP_LOW) / n;
                double high = statistics.get(LossHeads.CLIP_HIGH) / n;
                m.put("clip_ratio/low_mean", low);
                m.put("clip_ratio/high_mean", high);
                m.put("clip_ratio/region_mean", low + high);
            }
            if (skipped != null) {
                m.put("skipped", skipped);
            }
            m.put("seconds_train_graph", graphSeconds);
            m.put("seconds_optimizer", optimizerSeconds);
            return m;
        }
    }

    Outcome apply(List<MicroBatch> micro, long step) {
        long t0 = System.nanoTime();
        Gradients grads = new Gradients(policy.session().trainableShapes());
        Map<String, float[]> params = policy.trainables().values();
        double loss = 0;
        long tokens = 0;
        Map<String, Double> stats = new LinkedHashMap<>();
        for (MicroBatch m : micro) {
            TrainingSession.Pass pass = policy.session().backward(params, m.batch(), grads);
            loss += pass.loss();
            tokens += m.batch().weightedTokens();
            pass.statistics().forEach((k, v) -> stats.merge(k, v, Double::sum));
            ResidentMemory.trace("micro-batch of " + m.batch().rows() + " x " + m.batch().length());
        }
        FreedMemory.release();
        long t1 = System.nanoTime();
        double norm = GradientClipping.clip(grads.values(), settings.maxGradNorm());
        double lr = settings.schedule().at(step);
        String skipped = null;
        if (!Double.isFinite(norm) || !Double.isFinite(loss)) {
            skipped = "non-finite loss or gradient";
        } else if (norm == 0) {
            skipped = "zero gradient";
        } else {
            adamw.update(params, grads.values(), lr);
            policy.syncEngine();
        }
        long t2 = System.nanoTime();
        ResidentMemory.trace("optimiser and engine sync");
        return new Outcome(loss, norm, lr, stats, tokens, skipped, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }
}
