package rlif.spark;

import java.io.Serializable;
import java.util.List;
import rlif.evaluator.compare.ScoredModel;
import rlif.evaluator.data.Problem;
import rlif.evaluator.score.ScoreSettings;

/**
 * What every task of a spark-score job needs, broadcast once: the settings all models share (their
 * {@code model} is replaced by each model's local directory), the models, the problems (read once, on the
 * driver), and the work units.
 *
 * @param modelsPerExecutor how many models an executor keeps open at once (one ONNX Runtime session each)
 * @param failOnceUnit test hook: the unit whose first attempt throws after its first batch, -1 for none
 */
record JobSpec(ScoreSettings settings, List<ScoredModel> models, List<Problem> problems, List<WorkUnit> units,
        int modelsPerExecutor, int failOnceUnit) implements Serializable {}
