package rlif.evaluator.compare;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import rlif.evaluator.metrics.ClusteredEstimate;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.report.Signal;
import rlif.evaluator.report.Summary;

/**
 * One model's metrics as estimates with per-problem influence (so intervals and paired differences follow):
 * accuracy, pass@k and maj@k for every reported k, completion length, and each signal's mean and AUROC. The
 * values are the ones {@code summary.json} reports, computed by the same rules ({@link Summary}).
 */
public record ModelEstimates(
        int rollouts,
        long graded,
        ClusteredEstimate accuracy,
        Map<Integer, ClusteredEstimate> passAtK,
        Map<Integer, ClusteredEstimate> majAtK,
        ClusteredEstimate numTokens,
        Map<Signal, ClusteredEstimate> signalMean,
        Map<Signal, ClusteredEstimate> signalAuroc) {

    /** The estimates of a run's rows; {@code samples} is {@code --samples}. */
    public static ModelEstimates of(List<RolloutRow> rows, int samples) {
        Summary summary = new Summary(rows, samples);
        Map<Integer, ClusteredEstimate> pass = new LinkedHashMap<>();
        Map<Integer, ClusteredEstimate> maj = new LinkedHashMap<>();
        for (int k : Summary.ks(samples)) {
            pass.put(k, ClusteredEstimate.meanOverProblems(summary.passAtKByProblem(k)));
            maj.put(k, ClusteredEstimate.meanOverProblems(summary.majAtKByProblem(k)));
        }
        Map<Integer, double[]> correct = new TreeMap<>();
        Map<Integer, double[]> tokens = new TreeMap<>();
        for (RolloutRow r : rows) {
            if (r.correct() != null) {
                add(correct, r.promptIndex(), r.correct() ? 1 : 0);
            }
            add(tokens, r.promptIndex(), r.numTokens());
        }
        Map<Signal, ClusteredEstimate> means = new EnumMap<>(Signal.class);
        Map<Signal, ClusteredEstimate> aurocs = new EnumMap<>(Signal.class);
        List<RolloutRow> graded = rows.stream().filter(r -> r.correct() != null).toList();
        for (Signal s : Signal.values()) {
            Map<Integer, double[]> sums = new TreeMap<>();
            for (RolloutRow r : rows) {
                double v = r.signal(s);
                if (!Double.isNaN(v)) {
                    add(sums, r.promptIndex(), v);
                }
            }
            means.put(s, ClusteredEstimate.pooledMean(sums));
            double[] scores = new double[graded.size()];
            boolean[] labels = new boolean[graded.size()];
            int[] problems = new int[graded.size()];
            for (int i = 0; i < scores.length; i++) {
                RolloutRow r = graded.get(i);
                scores[i] = s.confidence(r.signal(s));
                labels[i] = r.correct();
                problems[i] = r.promptIndex();
            }
            aurocs.put(s, ClusteredEstimate.auroc(scores, labels, problems));
        }
        return new ModelEstimates(rows.size(), graded.size(), ClusteredEstimate.pooledMean(correct), pass, maj,
                ClusteredEstimate.pooledMean(tokens), means, aurocs);
    }

    private static void add(Map<Integer, double[]> sums, int problem, double v) {
        double[] sc = sums.computeIfAbsent(problem, p -> new double[2]);
        sc[0] += v;
        sc[1] += 1;
    }
}
