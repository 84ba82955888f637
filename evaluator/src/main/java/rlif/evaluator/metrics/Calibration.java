package rlif.evaluator.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A reliability table of a signal: rollouts sorted by the signal and cut into bins of (nearly) equal count,
 * each with the mean signal value and the share of correct rollouts, the share with its interval clustered by
 * problem ({@link Intervals#proportion}). A signal that tracks correctness gives shares that rise (or fall)
 * steadily across the bins; a flat table means it carries no information. Equal values never straddle two
 * bins, so a signal with few distinct values gets fewer bins.
 */
public final class Calibration {
    private Calibration() {}

    /** One bin: signal values {@code [low, high]}, their mean, the rollouts in it and their accuracy. */
    public record Bin(double low, double high, double meanValue, int rollouts, Interval accuracy) {}

    /** Up to {@code bins} bins over the rows with a finite value. */
    public static List<Bin> of(double[] values, boolean[] correct, int[] problem, int bins) {
        if (values.length != correct.length || values.length != problem.length) {
            throw new IllegalArgumentException("one label and one problem per value");
        }
        if (bins < 1) {
            throw new IllegalArgumentException("need at least one bin, got " + bins);
        }
        Integer[] order = new Integer[values.length];
        int n = 0;
        for (int i = 0; i < values.length; i++) {
            if (Double.isFinite(values[i])) {
                order[n++] = i;
            }
        }
        Integer[] sorted = Arrays.copyOf(order, n);
        Arrays.sort(sorted, Comparator.comparingDouble(i -> values[i]));
        List<Bin> out = new ArrayList<>();
        int start = 0;
        for (int b = 0; b < bins && start < n; b++) {
            int end = (int) Math.round((double) n * (b + 1) / bins);
            end = Math.max(end, start + 1);
            while (end < n && values[sorted[end]] == values[sorted[end - 1]]) {
                end++; // keep ties together
            }
            out.add(bin(values, correct, problem, sorted, start, Math.min(end, n)));
            start = end;
        }
        return out;
    }

    private static Bin bin(double[] values, boolean[] correct, int[] problem, Integer[] sorted, int from, int to) {
        Map<Integer, double[]> byProblem = new HashMap<>(); // problem -> {successes, trials}
        double sum = 0;
        for (int k = from; k < to; k++) {
            int i = sorted[k];
            sum += values[i];
            double[] st = byProblem.computeIfAbsent(problem[i], p -> new double[2]);
            st[0] += correct[i] ? 1 : 0;
            st[1]++;
        }
        double[] successes = new double[byProblem.size()];
        double[] trials = new double[byProblem.size()];
        int j = 0;
        for (double[] st : byProblem.values()) {
            successes[j] = st[0];
            trials[j] = st[1];
            j++;
        }
        return new Bin(values[sorted[from]], values[sorted[to - 1]], sum / (to - from), to - from,
                Intervals.proportion(successes, trials));
    }
}
