package rlif.evaluator.compare;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import rlif.evaluator.metrics.Interval;
import rlif.evaluator.metrics.Intervals;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.report.Signal;
import rlif.evaluator.report.Summary;

/**
 * One model's metrics minus the baseline's, paired by problem: both scored the same problems with the same
 * seeds, so each difference is the mean over problems of the problem's own difference
 * ({@link Intervals#pairedDifference}), and the AUROC's is {@link Summary#aurocPairedDifference}; the difficulty a
 * problem has for both models cancels out of the standard error.
 */
public final class PairedDifferences {
    private PairedDifferences() {}

    /** {@code rows} minus {@code baseline}, both runs of {@code samples} samples per problem. */
    public static MetricIntervals of(List<RolloutRow> rows, List<RolloutRow> baseline, int samples) {
        Summary mine = new Summary(rows, samples);
        Summary theirs = new Summary(baseline, samples);
        Map<Integer, Interval> pass = new LinkedHashMap<>();
        Map<Integer, Interval> maj = new LinkedHashMap<>();
        for (int k : Summary.ks(samples)) {
            pass.put(k, paired(mine.passAtKByProblem(k), theirs.passAtKByProblem(k)));
            maj.put(k, paired(mine.majAtKByProblem(k), theirs.majAtKByProblem(k)));
        }
        Predicate<RolloutRow> graded = r -> r.correct() != null;
        Interval accuracy = paired(perProblemMean(rows, graded, r -> r.correct() ? 1 : 0),
                perProblemMean(baseline, graded, r -> r.correct() ? 1 : 0));
        Map<Signal, Interval> means = new EnumMap<>(Signal.class);
        Map<Signal, Interval> aurocs = new EnumMap<>(Signal.class);
        for (Signal s : Signal.values()) {
            means.put(s, paired(perProblemMean(rows, r -> true, r -> r.signal(s)),
                    perProblemMean(baseline, r -> true, r -> r.signal(s))));
            aurocs.put(s, mine.aurocPairedDifference(s, theirs));
        }
        Interval tokens = paired(perProblemMean(rows, r -> true, RolloutRow::numTokens),
                perProblemMean(baseline, r -> true, RolloutRow::numTokens));
        return new MetricIntervals(accuracy, pass, maj, tokens, means, aurocs);
    }

    /** The paired difference of two per-problem values, aligned by problem (a problem one side lacks is left out). */
    private static Interval paired(Map<Integer, Double> mine, Map<Integer, Double> baseline) {
        TreeSet<Integer> problems = new TreeSet<>(mine.keySet());
        problems.addAll(baseline.keySet());
        double[] a = new double[problems.size()];
        double[] b = new double[problems.size()];
        int i = 0;
        for (int p : problems) {
            a[i] = mine.getOrDefault(p, Double.NaN);
            b[i] = baseline.getOrDefault(p, Double.NaN);
            i++;
        }
        return Intervals.pairedDifference(a, b);
    }

    /** Each problem's mean of {@code value} over its rows that pass {@code keep} (NaN values left out). */
    private static Map<Integer, Double> perProblemMean(List<RolloutRow> rows, Predicate<RolloutRow> keep,
            ToDoubleFunction<RolloutRow> value) {
        Map<Integer, double[]> sums = new TreeMap<>();
        for (RolloutRow r : rows) {
            if (keep.test(r)) {
                double v = value.applyAsDouble(r);
                if (!Double.isNaN(v)) {
                    double[] sc = sums.computeIfAbsent(r.promptIndex(), p -> new double[2]);
                    sc[0] += v;
                    sc[1]++;
                }
            }
        }
        Map<Integer, Double> means = new TreeMap<>();
        sums.forEach((p, sc) -> means.put(p, sc[0] / sc[1]));
        return means;
    }
}
