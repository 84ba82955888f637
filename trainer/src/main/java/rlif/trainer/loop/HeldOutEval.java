package rlif.trainer.loop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.evaluator.data.Problem;
import rlif.trainer.batch.MicroBatch;
import rlif.trainer.batch.MicroBatcher;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.graph.TrainingSession;

/**
 * The held-out evaluation a run logs before its first step, every {@code eval_steps} steps and after its last:
 * one completion per held-out problem (greedy by default), graded like {@code rlif score}, and for SFT the
 * teacher-forced loss of the held-out worked solutions ({@code eval_loss}).
 */
final class HeldOutEval {
    /** Rollout seeds of the evaluation: the same problems are sampled the same way at every step. */
    private static final long SEED = 20251128L;
    /** Completions per evaluation kept in {@code examples}. */
    private static final int EXAMPLES = 3;

    private final TrainConfig.Eval settings;
    private final TrainConfig.Sft sft;
    private final List<Problem> problems;
    private final StartingModel model;
    private final Policy policy;

    /** {@code sft} null for GRPO runs (no held-out loss). */
    HeldOutEval(TrainConfig.Eval settings, TrainConfig.Sft sft, List<Problem> problems, StartingModel model, Policy policy) {
        this.settings = settings;
        this.sft = sft;
        this.problems = problems;
        this.model = model;
        this.policy = policy;
    }

    Map<String, Object> run() {
        long t0 = System.nanoTime();
        List<Rollouts.Graded> graded = Rollouts.generate(policy, model, problems, 1, settings.sampling(), SEED,
                settings.batchSize());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("eval", true);
        row.putAll(RolloutMetrics.of(graded));
        if (sft != null) {
            row.put("eval_loss", loss());
        }
        row.put("example", graded.isEmpty() ? "" : graded.getFirst().text());
        row.put("examples", examples(graded));
        row.put("seconds_eval", (System.nanoTime() - t0) / 1e9);
        return row;
    }

    /** The first few completions with their grades, for the report's examples table. */
    private static List<Map<String, Object>> examples(List<Rollouts.Graded> graded) {
        return graded.subList(0, Math.min(EXAMPLES, graded.size())).stream().map(g -> {
            Map<String, Object> ex = new LinkedHashMap<>();
            ex.put("completion", g.text());
            ex.put("correct", g.correct());
            return ex;
        }).toList();
    }

    /** Mean negative log-likelihood per solution token of the held-out problems. */
    private double loss() {
        List<MicroBatch> micro = MicroBatcher.supervised(SftStep.sequences(model, problems), sft.microBatchSize(),
                sft.maxLength(), model.padId());
        double loss = 0;
        for (MicroBatch m : micro) {
            TrainingSession.Pass p = policy.session().forward(policy.trainables().values(), m.batch());
            for (int i = 0; i < m.batch().weights().length; i++) {
                loss -= (double) m.batch().weights()[i] * p.tokenLogp()[i];
            }
        }
        return loss;
    }
}
