package rlif.evaluator.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import rlif.evaluator.grading.Grade;
import rlif.evaluator.metrics.Auroc;
import rlif.evaluator.metrics.MajorityVote;
import rlif.evaluator.metrics.PassAtK;
import rlif.evaluator.metrics.Stats;

/**
 * The metrics of a scored run, computed from its rows: counts, accuracy, pass@k, maj@k, signal means and
 * deviations (overall and split by correctness), and each signal's AUROC for predicting correctness.
 */
public final class Summary {
    private final List<RolloutRow> rows;
    private final int samples;

    /** {@code rows} are all rows of the run (resumed ones included); {@code samples} is {@code --samples}. */
    public Summary(List<RolloutRow> rows, int samples) {
        this.rows = rows;
        this.samples = samples;
    }

    /** The values of {@code k} reported: powers of two up to {@code samples}, and {@code samples} itself. */
    public static List<Integer> ks(int samples) {
        List<Integer> ks = new ArrayList<>();
        for (int k = 1; k < samples; k *= 2) {
            ks.add(k);
        }
        ks.add(samples);
        return ks;
    }

    public int rollouts() {
        return rows.size();
    }

    public long graded() {
        return rows.stream().filter(r -> r.correct() != null).count();
    }

    public long correct() {
        return rows.stream().filter(r -> Boolean.TRUE.equals(r.correct())).count();
    }

    /** Share of graded rollouts that are correct; NaN when none is graded. */
    public double accuracy() {
        long g = graded();
        return g == 0 ? Double.NaN : (double) correct() / g;
    }

    private Map<Integer, List<RolloutRow>> byProblem() {
        Map<Integer, List<RolloutRow>> m = new TreeMap<>();
        for (RolloutRow r : rows) {
            m.computeIfAbsent(r.promptIndex(), i -> new ArrayList<>()).add(r);
        }
        for (List<RolloutRow> l : m.values()) {
            l.sort(java.util.Comparator.comparingInt(RolloutRow::sample));
        }
        return m;
    }

    /** Mean unbiased pass@k over graded problems with at least k rollouts; NaN when there are none. */
    public double passAtK(int k) {
        return meanOf(passAtKByProblem(k));
    }

    /** Unbiased pass@k of each graded problem with at least k rollouts, by problem index. */
    public Map<Integer, Double> passAtKByProblem(int k) {
        Map<Integer, Double> m = new TreeMap<>();
        for (var e : byProblem().entrySet()) {
            List<RolloutRow> l = e.getValue();
            if (l.get(0).correct() != null && l.size() >= k) {
                int c = (int) l.stream().filter(r -> Boolean.TRUE.equals(r.correct())).count();
                m.put(e.getKey(), PassAtK.estimate(l.size(), c, k));
            }
        }
        return m;
    }

    /** Share of graded problems whose majority answer over their first k samples is correct. */
    public double majAtK(int k) {
        return meanOf(majAtKByProblem(k));
    }

    /** 1 or 0 for each graded problem with at least k rollouts: whether its first k samples' majority is right. */
    public Map<Integer, Double> majAtKByProblem(int k) {
        Map<Integer, Double> m = new TreeMap<>();
        for (var e : byProblem().entrySet()) {
            List<RolloutRow> l = e.getValue();
            if (l.get(0).correct() != null && l.size() >= k) {
                List<Grade> grades = l.subList(0, k).stream().map(r -> new Grade(r.answer(), r.correct())).toList();
                m.put(e.getKey(), MajorityVote.isCorrect(grades) ? 1.0 : 0.0);
            }
        }
        return m;
    }

    private static double meanOf(Map<Integer, Double> values) {
        Stats s = new Stats();
        values.values().forEach(s::add);
        return s.mean();
    }

    /** AUROC of the signal (turned into a confidence) for predicting correctness over graded rows. */
    public double auroc(Signal signal) {
        List<RolloutRow> graded = rows.stream().filter(r -> r.correct() != null).toList();
        double[] scores = new double[graded.size()];
        boolean[] labels = new boolean[graded.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = signal.confidence(graded.get(i).signal(signal));
            labels[i] = graded.get(i).correct();
        }
        return Auroc.of(scores, labels);
    }

    /** Mean and deviation of a signal over the rows whose correctness is {@code which} (null: all rows). */
    public Stats stats(Signal signal, Boolean which) {
        Stats s = new Stats();
        for (RolloutRow r : rows) {
            if (which == null || which.equals(r.correct())) {
                s.add(r.signal(signal));
            }
        }
        return s;
    }

    /** The metrics part of {@code summary.json}, written into {@code o}. */
    public void writeTo(ObjectNode o) {
        ObjectNode counts = o.putObject("counts");
        counts.put("problems", byProblem().size());
        counts.put("rollouts", rows.size());
        counts.put("graded", graded());
        counts.put("correct", correct());
        counts.put("finish_eos", rows.stream().filter(r -> r.finishReason().equals("eos")).count());
        counts.put("finish_length", rows.stream().filter(r -> r.finishReason().equals("length")).count());
        // faults a run survives, each also visible on its row: logits that were NaN/inf (finish_reason
        // non_finite), completions that decode to no text, and problems without a usable reference (reference null)
        counts.put("finish_non_finite", rows.stream().filter(r -> r.finishReason().equals("non_finite")).count());
        counts.put("empty_completions", rows.stream().filter(r -> r.completion() == null || r.completion().isBlank()).count());
        counts.put("ungraded", rows.stream().filter(r -> r.correct() == null).count());
        counts.put("tokens", rows.stream().mapToLong(RolloutRow::numTokens).sum());
        put(o, "accuracy", accuracy());
        ObjectNode pass = o.putObject("pass_at_k");
        ObjectNode maj = o.putObject("maj_at_k");
        for (int k : ks(samples)) {
            put(pass, String.valueOf(k), passAtK(k));
            put(maj, String.valueOf(k), majAtK(k));
        }
        ObjectNode signals = o.putObject("signals");
        ObjectNode aurocs = o.putObject("auroc");
        for (Signal s : Signal.values()) {
            ObjectNode n = signals.putObject(s.json());
            Stats all = stats(s, null);
            put(n, "mean", all.mean());
            put(n, "std", all.std());
            put(n, "mean_correct", stats(s, true).mean());
            put(n, "mean_incorrect", stats(s, false).mean());
            n.put("confident_when", s.higherIsMoreConfident() ? "higher" : "lower");
            put(n, "auroc", auroc(s));
            put(aurocs, s.json(), auroc(s));
        }
        Stats len = new Stats();
        rows.forEach(r -> len.add(r.numTokens()));
        ObjectNode n = o.putObject("num_tokens");
        put(n, "mean", len.mean());
        put(n, "std", len.std());
    }

    /** JSON has no NaN: an undefined metric is null. */
    static void put(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }
}
