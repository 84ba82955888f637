package rlif.demo;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import rlif.evaluator.metrics.Interval;
import rlif.evaluator.metrics.Intervals;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.report.RolloutsFile;
import rlif.evaluator.score.ScoreJob;
import rlif.trainer.metrics.TextMetrics;

/**
 * What a held-out evaluation ({@code rlif score} of one model on the demo's held-out problems, several samples
 * each) measured, kept as per-problem sums so that evaluations of the same problems (the seeds of one arm) can be
 * pooled. Every measurement comes with its 95% interval over problems: the problem is the unit of sampling, since
 * the samples of one problem are not independent ({@link Intervals}).
 */
public final class HeldOut {
    /** Per-problem sums over rollouts, one array per measurement, all indexed by problem. */
    private final Map<String, double[]> sums;

    private static final String CORRECT = "correct";
    private static final String GRADED = "graded";
    private static final String ROLLOUTS = "rollouts";
    private static final String WITH_TOKENS = "with_tokens";
    private static final String CHECKED = "checked";
    private static final List<String> KEYS = List.of(CORRECT, GRADED, ROLLOUTS, WITH_TOKENS, CHECKED, "token_entropy",
            "self_certainty", "trajectory_entropy", "completion_length", "transitional_rate");

    private HeldOut(Map<String, double[]> sums) {
        this.sums = sums;
    }

    /** Reads {@code DIR/rollouts.jsonl} of a finished score run. */
    public static HeldOut read(Path scoreDir) {
        Map<Integer, List<RolloutRow>> byProblem = new TreeMap<>();
        RolloutsFile.read(scoreDir.resolve(ScoreJob.ROLLOUTS),
                r -> byProblem.computeIfAbsent(r.promptIndex(), k -> new java.util.ArrayList<>()).add(r));
        return of(List.copyOf(byProblem.values()));
    }

    /** The measurements of rollouts grouped by problem. */
    static HeldOut of(List<List<RolloutRow>> problems) {
        Map<String, double[]> sums = new TreeMap<>();
        KEYS.forEach(k -> sums.put(k, new double[problems.size()]));
        for (int i = 0; i < problems.size(); i++) {
            for (RolloutRow r : problems.get(i)) {
                sums.get(ROLLOUTS)[i]++;
                if (r.correct() != null) {
                    sums.get(GRADED)[i]++;
                    sums.get(CORRECT)[i] += r.correct() ? 1 : 0;
                }
                double transitional = TextMetrics.transitionalRate(r.completion());
                sums.get("transitional_rate")[i] += transitional;
                sums.get(CHECKED)[i] += transitional > 0 ? 1 : 0;
                sums.get("completion_length")[i] += r.numTokens();
                if (r.numTokens() > 0) {
                    sums.get(WITH_TOKENS)[i]++;
                    sums.get("token_entropy")[i] += r.tokenEntropy();
                    sums.get("self_certainty")[i] += r.selfCertainty();
                    sums.get("trajectory_entropy")[i] += r.trajectoryEntropy();
                }
            }
        }
        return new HeldOut(sums);
    }

    /** Evaluations of the same problems pooled into one (e.g. an arm's seeds at one step). */
    static HeldOut pool(List<HeldOut> parts) {
        int n = parts.getFirst().problems();
        Map<String, double[]> sums = new TreeMap<>();
        for (String k : KEYS) {
            double[] s = new double[n];
            for (HeldOut h : parts) {
                if (h.problems() != n) {
                    throw new IllegalArgumentException("pooled evaluations must cover the same problems");
                }
                for (int i = 0; i < n; i++) {
                    s[i] += h.sums.get(k)[i];
                }
            }
            sums.put(k, s);
        }
        return new HeldOut(sums);
    }

    public int problems() {
        return sums.get(ROLLOUTS).length;
    }

    /** Share of correct rollouts (clustered Wilson interval). */
    public Interval accuracy() {
        return Intervals.proportion(sums.get(CORRECT), sums.get(GRADED));
    }

    /** Mean per-token entropy of a completion, averaged per problem, then over problems. */
    public Interval tokenEntropy() {
        return perProblemMean("token_entropy", WITH_TOKENS);
    }

    /** Mean per-token self-certainty, likewise. */
    public Interval selfCertainty() {
        return perProblemMean("self_certainty", WITH_TOKENS);
    }

    /** Mean per-token negative log-probability of the sampled tokens, likewise. */
    public Interval trajectoryEntropy() {
        return perProblemMean("trajectory_entropy", WITH_TOKENS);
    }

    /** Tokens per completion, likewise. */
    public Interval completionLength() {
        return perProblemMean("completion_length", ROLLOUTS);
    }

    /** Transitional words or phrases per word ("wait", "but", "hmm", "let me check", ...), likewise. */
    public Interval transitionalRate() {
        return perProblemMean("transitional_rate", ROLLOUTS);
    }

    /** Share of completions with at least one transitional word (clustered Wilson interval). */
    public Interval checkShare() {
        return Intervals.proportion(sums.get(CHECKED), sums.get(ROLLOUTS));
    }

    /** Per problem, the share of correct rollouts (NaN when none is graded): input of paired comparisons. */
    public double[] accuracyByProblem() {
        double[] c = sums.get(CORRECT);
        double[] g = sums.get(GRADED);
        double[] out = new double[c.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = g[i] == 0 ? Double.NaN : c[i] / g[i];
        }
        return out;
    }

    private Interval perProblemMean(String key, String count) {
        double[] s = sums.get(key);
        double[] n = sums.get(count);
        double[] means = new double[s.length];
        for (int i = 0; i < means.length; i++) {
            means[i] = n[i] == 0 ? Double.NaN : s[i] / n[i];
        }
        return Intervals.mean(means);
    }
}
