package rlif.spark;

import java.io.Serializable;
import java.util.List;
import rlif.evaluator.compare.ScoredModel;
import rlif.evaluator.data.Problem;
import rlif.evaluator.score.ScoreSettings;

/**
 * What every task of a spark-score job needs, broadcast once: each model's settings (the shared ones with its
 * location and, for a local model, {@code --max-new-tokens} fitted to its context), the models, the problems
 * (read once, on the driver), and the work units.
 *
 * @param settings one per model, in the order of {@code models}
 * @param threads ONNX Runtime intra-op threads of each session, 0 for its default
 * @param sessionsPerExecutor how many idle ONNX Runtime sessions an executor keeps for later tasks
 * @param failOnceUnit test hook: the unit whose first attempt throws after its first batch, -1 for none
 */
record JobSpec(List<ScoreSettings> settings, List<ScoredModel> models, List<Problem> problems, List<WorkUnit> units,
        int threads, int sessionsPerExecutor, int failOnceUnit) implements Serializable {}
