package rlif.evaluator.validity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import rlif.evaluator.metrics.Interval;

/**
 * How much of a signal's variation <em>within groups</em> (the completions of one prompt, which is all GRPO
 * compares) is explained by what the completion contains alone: ridge regression of the group-centred signal
 * on the group-centred token histogram of each completion (the share of each token among its tokens),
 * cross-validated over problems.
 *
 * <p>Procedure: problems are shuffled (seeded) into {@value #FOLDS} folds; for each fold the ridge penalty is
 * chosen from a grid by an inner {@value #INNER_FOLDS}-fold cross-validation on the other folds' problems, the
 * model is fitted on all of them and predicts the held-out fold. The result is the out-of-fold
 * {@code R^2 = 1 - sum (y - yhat)^2 / sum y^2} over all centred values: 0 means content predicts nothing beyond
 * the group mean, 1 that the signal is a function of which tokens a completion holds. No intercept is needed
 * since both sides are centred within each group. Features are the {@value #MAX_FEATURES} tokens held by most
 * completions plus one bucket for all others, which keeps the normal equations small for large vocabularies.
 */
public final class ContentRegression {
    static final int FOLDS = 5;
    static final int INNER_FOLDS = 4;
    static final int MAX_FEATURES = 400;
    /** Penalties, as multiples of the mean diagonal of the training Gram matrix. */
    static final double[] PENALTIES = {1e-4, 1e-3, 1e-2, 1e-1, 1, 10};

    private ContentRegression() {}

    /** One completion: its problem, token ids and signal value. */
    public record Item(int problem, int[] tokens, double value) {}

    /**
     * The result: out-of-fold R^2 with its standard error and 95% interval, and how many completions and groups
     * took part. {@code R^2 = 1 - E / S} with {@code E}, {@code S} sums over problems of held-out squared errors
     * and squared centred values; the standard error is the clustered one of that ratio over problems
     * ({@code sqrt(P / (P - 1) sum_g (E_g - r S_g)^2) / S}, {@code r = E / S}), which treats the fitted models
     * as fixed (it leaves out how much they would vary with other training problems).
     */
    public record Result(Interval r2, int completions, int groups) {}

    /**
     * Fits and cross-validates. Items with no tokens or a non-finite value are left out, as are groups left with
     * fewer than two completions; NaN when fewer than {@value #FOLDS} groups remain or no variance is left.
     */
    public static Result of(List<Item> items, long seed) {
        Map<Integer, List<Item>> groups = new HashMap<>();
        for (Item it : items) {
            if (it.tokens().length > 0 && Double.isFinite(it.value())) {
                groups.computeIfAbsent(it.problem(), k -> new ArrayList<>()).add(it);
            }
        }
        groups.values().removeIf(g -> g.size() < 2);
        List<Integer> problems = new ArrayList<>(groups.keySet());
        problems.sort(null);
        int n = groups.values().stream().mapToInt(List::size).sum();
        if (problems.size() < FOLDS) {
            return new Result(Interval.undefined(Double.NaN), n, problems.size());
        }
        int[] vocab = features(groups);
        // centred rows, grouped by problem
        Map<Integer, List<Row>> rows = new HashMap<>();
        for (int p : problems) {
            rows.put(p, centre(groups.get(p), vocab));
        }
        java.util.Collections.shuffle(problems, new Random(seed));
        int dim = vocab.length + 1;
        double[] errors = new double[problems.size()];
        double[] totals = new double[problems.size()];
        for (int k = 0; k < FOLDS; k++) {
            List<Row> train = new ArrayList<>();
            List<List<Row>> inner = new ArrayList<>();
            for (int f = 0; f < INNER_FOLDS; f++) {
                inner.add(new ArrayList<>());
            }
            int t = 0;
            for (int i = 0; i < problems.size(); i++) {
                List<Row> r = rows.get(problems.get(i));
                if (i % FOLDS != k) {
                    train.addAll(r);
                    inner.get(t++ % INNER_FOLDS).addAll(r);
                }
            }
            double penalty = choosePenalty(inner, dim);
            double[] w = fit(train, dim, penalty);
            for (int i = k; i < problems.size(); i += FOLDS) {
                for (Row r : rows.get(problems.get(i))) {
                    double d = r.y - r.dot(w);
                    errors[i] += d * d;
                    totals[i] += r.y * r.y;
                }
            }
        }
        return new Result(unexplained(errors, totals), n, problems.size());
    }

    /** {@code 1 - sum(errors) / sum(totals)} with the clustered standard error of the ratio. */
    static Interval unexplained(double[] errors, double[] totals) {
        double e = Arrays.stream(errors).sum();
        double s = Arrays.stream(totals).sum();
        if (!(s > 0)) {
            return Interval.undefined(Double.NaN);
        }
        double r = e / s;
        double ss = 0;
        for (int i = 0; i < errors.length; i++) {
            double d = errors[i] - r * totals[i];
            ss += d * d;
        }
        int p = errors.length;
        double se = Math.sqrt(p / (p - 1.0) * ss) / s;
        return Interval.normal(1 - r, se, Double.NEGATIVE_INFINITY, 1);
    }

    /** The penalty of the grid with the least inner cross-validated error. */
    private static double choosePenalty(List<List<Row>> inner, int dim) {
        double best = Double.NaN;
        double bestError = Double.POSITIVE_INFINITY;
        for (double c : PENALTIES) {
            double error = 0;
            for (int f = 0; f < inner.size(); f++) {
                List<Row> fitOn = new ArrayList<>();
                for (int g = 0; g < inner.size(); g++) {
                    if (g != f) {
                        fitOn.addAll(inner.get(g));
                    }
                }
                double[] w = fit(fitOn, dim, c);
                for (Row r : inner.get(f)) {
                    double d = r.y - r.dot(w);
                    error += d * d;
                }
            }
            if (error < bestError) {
                bestError = error;
                best = c;
            }
        }
        return best;
    }

    /** Ridge weights: solves {@code (X'X + penalty * mean(diag X'X) I) w = X'y} by Cholesky. */
    static double[] fit(List<Row> rows, int dim, double penalty) {
        double[][] g = new double[dim][dim];
        double[] b = new double[dim];
        for (Row r : rows) {
            for (int a = 0; a < r.idx.length; a++) {
                double va = r.val[a];
                b[r.idx[a]] += va * r.y;
                double[] ga = g[r.idx[a]];
                for (int c = 0; c < r.idx.length; c++) {
                    ga[r.idx[c]] += va * r.val[c];
                }
            }
        }
        double trace = 0;
        for (int i = 0; i < dim; i++) {
            trace += g[i][i];
        }
        double lambda = penalty * Math.max(trace / dim, 1e-12);
        for (int i = 0; i < dim; i++) {
            g[i][i] += lambda;
        }
        return Cholesky.solve(g, b);
    }

    /** The most widely held tokens (by how many completions hold them), the feature columns 0..n-1. */
    private static int[] features(Map<Integer, List<Item>> groups) {
        Map<Integer, Integer> holders = new HashMap<>();
        for (List<Item> g : groups.values()) {
            for (Item it : g) {
                Arrays.stream(it.tokens()).distinct().forEach(t -> holders.merge(t, 1, Integer::sum));
            }
        }
        return holders.entrySet().stream()
                .sorted(Map.Entry.<Integer, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(MAX_FEATURES).mapToInt(Map.Entry::getKey).toArray();
    }

    /** Each completion's token shares minus its group's mean shares, and its value minus the group's mean value. */
    private static List<Row> centre(List<Item> group, int[] vocab) {
        Map<Integer, Integer> column = new HashMap<>();
        for (int i = 0; i < vocab.length; i++) {
            column.put(vocab[i], i);
        }
        int other = vocab.length;
        List<Map<Integer, Double>> shares = new ArrayList<>();
        Map<Integer, Double> mean = new HashMap<>();
        double meanY = 0;
        for (Item it : group) {
            Map<Integer, Double> h = new HashMap<>();
            for (int t : it.tokens()) {
                h.merge(column.getOrDefault(t, other), 1.0 / it.tokens().length, Double::sum);
            }
            shares.add(h);
            h.forEach((c, v) -> mean.merge(c, v / group.size(), Double::sum));
            meanY += it.value() / group.size();
        }
        int[] cols = mean.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            double[] val = new double[cols.length];
            for (int c = 0; c < cols.length; c++) {
                val[c] = shares.get(i).getOrDefault(cols[c], 0.0) - mean.get(cols[c]);
            }
            out.add(new Row(cols, val, group.get(i).value() - meanY));
        }
        return out;
    }

    /** A sparse centred feature row and its centred target. */
    record Row(int[] idx, double[] val, double y) {
        double dot(double[] w) {
            double s = 0;
            for (int i = 0; i < idx.length; i++) {
                s += val[i] * w[idx[i]];
            }
            return s;
        }
    }
}
