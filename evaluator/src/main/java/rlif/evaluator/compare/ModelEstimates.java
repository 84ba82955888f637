package rlif.evaluator.compare;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import rlif.evaluator.metrics.Interval;
import rlif.evaluator.metrics.Intervals;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.report.Signal;
import rlif.evaluator.report.Summary;

/**
 * One model's metrics with standard errors and 95% intervals clustered by problem: accuracy, pass@k and maj@k
 * for every reported k and each signal's AUROC exactly as its {@code summary.json} reports them
 * ({@link Summary}), and the means of completion length and of each signal over rollouts.
 */
public record ModelEstimates(int rollouts, long graded, int problems, MetricIntervals metrics) {

    /** The estimates of a run's rows; {@code samples} is {@code --samples}. */
    public static ModelEstimates of(List<RolloutRow> rows, int samples) {
        Summary summary = new Summary(rows, samples);
        Map<Integer, Interval> pass = new LinkedHashMap<>();
        Map<Integer, Interval> maj = new LinkedHashMap<>();
        for (int k : Summary.ks(samples)) {
            pass.put(k, summary.passAtKInterval(k));
            maj.put(k, summary.majAtKInterval(k));
        }
        Map<Signal, Interval> means = new EnumMap<>(Signal.class);
        Map<Signal, Interval> aurocs = new EnumMap<>(Signal.class);
        for (Signal s : Signal.values()) {
            means.put(s, mean(rows, r -> r.signal(s)));
            aurocs.put(s, summary.aurocInterval(s));
        }
        int problems = (int) rows.stream().mapToInt(RolloutRow::promptIndex).distinct().count();
        return new ModelEstimates(rows.size(), summary.graded(), problems, new MetricIntervals(summary.accuracyInterval(),
                pass, maj, mean(rows, RolloutRow::numTokens), means, aurocs));
    }

    /** The mean over rollouts of a value (NaN left out), clustered by problem. */
    private static Interval mean(List<RolloutRow> rows, ToDoubleFunction<RolloutRow> value) {
        Map<Integer, double[]> byProblem = new TreeMap<>();
        for (RolloutRow r : rows) {
            double v = value.applyAsDouble(r);
            if (!Double.isNaN(v)) {
                double[] sc = byProblem.computeIfAbsent(r.promptIndex(), p -> new double[2]);
                sc[0] += v;
                sc[1]++;
            }
        }
        double[] sums = byProblem.values().stream().mapToDouble(sc -> sc[0]).toArray();
        double[] counts = byProblem.values().stream().mapToDouble(sc -> sc[1]).toArray();
        return Intervals.clusteredMean(sums, counts);
    }
}
