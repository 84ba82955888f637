package rlif.evaluator.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import rlif.evaluator.grading.Grade;
import rlif.evaluator.metrics.Auroc;
import rlif.evaluator.metrics.BestOfN;
import rlif.evaluator.metrics.Interval;
import rlif.evaluator.metrics.Intervals;
import rlif.evaluator.metrics.MajorityVote;
import rlif.evaluator.metrics.PassAtK;
import rlif.evaluator.metrics.Stats;

/**
 * The metrics of a scored run, computed from its rows: counts, accuracy, pass@k, maj@k, signal means and
 * deviations (overall and split by correctness), each signal's AUROC for predicting correctness, and with
 * several samples per problem each signal's best-of-N and rank-weighted voting accuracy ({@link BestOfN}). Every
 * rate carries a standard error and a 95% interval with the problem as the unit of sampling
 * ({@link Intervals}, {@link Auroc#withInterval}), since rollouts of one problem are not independent.
 */
public final class Summary {
    private final List<RolloutRow> rows;
    private final int samples;
    private Map<Integer, List<RolloutRow>> byProblem;
    /** {@link SelfCheckWords#count} of each row's completion, counted once for every statistic that reads it. */
    private final Map<RolloutRow, int[]> selfChecks = new java.util.IdentityHashMap<>();

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

    /** {@link #accuracy()} with its standard error and interval, clustered by problem. */
    public Interval accuracyInterval() {
        return clusteredShare(r -> r.correct() != null, r -> r.correct());
    }

    /**
     * The share of {@code counted} rows that are {@code hits}, with its interval clustered by problem (a problem's
     * samples are not independent draws).
     */
    private Interval clusteredShare(Predicate<RolloutRow> counted, Predicate<RolloutRow> hits) {
        List<List<RolloutRow>> problems = List.copyOf(byProblem().values());
        double[] successes = new double[problems.size()];
        double[] trials = new double[problems.size()];
        for (int i = 0; i < successes.length; i++) {
            for (RolloutRow r : problems.get(i)) {
                if (counted.test(r)) {
                    trials[i]++;
                    successes[i] += hits.test(r) ? 1 : 0;
                }
            }
        }
        return Intervals.proportion(successes, trials);
    }

    /** Rows by prompt index, each problem's in sample order; built once. */
    private Map<Integer, List<RolloutRow>> byProblem() {
        if (byProblem != null) {
            return byProblem;
        }
        Map<Integer, List<RolloutRow>> m = new TreeMap<>();
        for (RolloutRow r : rows) {
            m.computeIfAbsent(r.promptIndex(), i -> new ArrayList<>()).add(r);
        }
        for (List<RolloutRow> l : m.values()) {
            l.sort(Comparator.comparingInt(RolloutRow::sample));
        }
        byProblem = m;
        return m;
    }

    /** Mean unbiased pass@k over graded problems with at least k rollouts; NaN when there are none. */
    public double passAtK(int k) {
        return passAtKInterval(k).estimate();
    }

    /** {@link #passAtK} with the standard error and interval of a mean of one value per problem. */
    public Interval passAtKInterval(int k) {
        Map<Integer, Double> values = passAtKByProblem(k);
        long rollouts = values.keySet().stream().mapToLong(p -> byProblem().get(p).size()).sum();
        return perProblemShare(List.copyOf(values.values()), rollouts);
    }

    /** Unbiased pass@k of each graded problem with at least k rollouts, by problem index (for paired differences). */
    public Map<Integer, Double> passAtKByProblem(int k) {
        Map<Integer, Double> values = new TreeMap<>();
        for (var e : byProblem().entrySet()) {
            List<RolloutRow> l = e.getValue();
            if (l.get(0).correct() != null && l.size() >= k) {
                int c = (int) l.stream().filter(r -> Boolean.TRUE.equals(r.correct())).count();
                values.put(e.getKey(), PassAtK.estimate(l.size(), c, k));
            }
        }
        return values;
    }

    /** Share of graded problems whose majority answer over their first k samples is correct. */
    public double majAtK(int k) {
        return majAtKInterval(k).estimate();
    }

    /** {@link #majAtK} with the standard error and interval of a share of problems. */
    public Interval majAtKInterval(int k) {
        return solvedAtK(k, Summary::majorityIsCorrect);
    }

    /** 1 or 0 for each graded problem with at least k rollouts: whether its first k samples' majority is right. */
    public Map<Integer, Double> majAtKByProblem(int k) {
        return solvedByProblem(k, Summary::majorityIsCorrect);
    }

    private static boolean majorityIsCorrect(List<RolloutRow> first) {
        return MajorityVote.isCorrect(first.stream().map(r -> new Grade(r.answer(), r.correct())).toList());
    }

    /**
     * Share of graded problems whose first k samples, ranked by {@code signal}, solve it: by the most confident
     * sample ({@code vote} false) or by rank-weighted voting ({@code vote} true); see {@link BestOfN}.
     */
    public Interval bestOfNInterval(Signal signal, int k, boolean vote) {
        return solvedAtK(k, first -> {
            List<BestOfN.Candidate> c = first.stream().map(r -> new BestOfN.Candidate(new Grade(r.answer(), r.correct()),
                    signal.confidence(r.signal(signal)))).toList();
            return vote ? BestOfN.weightedVoteIsCorrect(c, BestOfN.VOTE_POWER) : BestOfN.topIsCorrect(c);
        });
    }

    /** Share of graded problems with at least k samples whose first k samples {@code solves}. */
    private Interval solvedAtK(int k, java.util.function.Predicate<List<RolloutRow>> solves) {
        Map<Integer, Double> values = solvedByProblem(k, solves);
        return perProblemShare(List.copyOf(values.values()), values.size());
    }

    /** 1 or 0 for each graded problem with at least k samples: whether its first k samples {@code solves}. */
    private Map<Integer, Double> solvedByProblem(int k, java.util.function.Predicate<List<RolloutRow>> solves) {
        Map<Integer, Double> values = new TreeMap<>();
        for (var e : byProblem().entrySet()) {
            List<RolloutRow> l = e.getValue();
            if (l.get(0).correct() != null && l.size() >= k) {
                values.put(e.getKey(), solves.test(l.subList(0, k)) ? 1.0 : 0.0);
            }
        }
        return values;
    }

    /** One value in [0, 1] per problem, each problem weighing one, summarising {@code rollouts} rollouts. */
    private static Interval perProblemShare(List<Double> values, long rollouts) {
        double[] successes = values.stream().mapToDouble(Double::doubleValue).toArray();
        double[] trials = new double[successes.length];
        java.util.Arrays.fill(trials, 1);
        return Intervals.proportion(successes, trials, rollouts);
    }

    /** AUROC of the signal (turned into a confidence) for predicting correctness over graded rows. */
    public double auroc(Signal signal) {
        return aurocInterval(signal).estimate();
    }

    /** {@link #auroc} with its standard error and interval, rollouts clustered by problem. */
    public Interval aurocInterval(Signal signal) {
        AurocInput in = aurocInput(signal);
        return Auroc.withInterval(in.scores, in.labels, in.problems);
    }

    /** This run's AUROC minus {@code baseline}'s, paired by problem ({@link Auroc#pairedDifference}). */
    public Interval aurocPairedDifference(Signal signal, Summary baseline) {
        AurocInput a = baseline.aurocInput(signal);
        AurocInput b = aurocInput(signal);
        return Auroc.pairedDifference(a.scores, a.labels, a.problems, b.scores, b.labels, b.problems);
    }

    /** A signal's confidence, correctness and problem index over the graded rows. */
    private record AurocInput(double[] scores, boolean[] labels, int[] problems) {}

    private AurocInput aurocInput(Signal signal) {
        List<RolloutRow> graded = rows.stream().filter(r -> r.correct() != null).toList();
        double[] scores = new double[graded.size()];
        boolean[] labels = new boolean[graded.size()];
        int[] problems = new int[graded.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = signal.confidence(graded.get(i).signal(signal));
            labels[i] = graded.get(i).correct();
            problems[i] = graded.get(i).promptIndex();
        }
        return new AurocInput(scores, labels, problems);
    }

    /**
     * Occurrences per completion of one self-checking word ({@code word} indexes {@link SelfCheckWords#WORDS};
     * {@code WORDS.size()} counts all of them): averaged per problem, then over problems, with the interval of
     * that mean (the problem is the unit of sampling).
     */
    public Interval selfCheckWordsPerCompletion(int word) {
        List<List<RolloutRow>> problems = List.copyOf(byProblem().values());
        double[] means = new double[problems.size()];
        for (int i = 0; i < means.length; i++) {
            double sum = 0;
            for (RolloutRow r : problems.get(i)) {
                int[] n = selfChecks(r);
                sum += word == n.length ? java.util.Arrays.stream(n).sum() : n[word];
            }
            means[i] = sum / problems.get(i).size();
        }
        return Intervals.mean(means);
    }

    /** Share of completions with at least one self-checking word (clustered by problem). */
    public Interval completionsWithSelfCheck() {
        return clusteredShare(r -> true, r -> java.util.Arrays.stream(selfChecks(r)).sum() > 0);
    }

    private int[] selfChecks(RolloutRow r) {
        return selfChecks.computeIfAbsent(r, row -> SelfCheckWords.count(row.completion()));
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
        Interval acc = accuracyInterval();
        put(o, "accuracy", acc.estimate());
        put(o, "accuracy_stderr", acc.stderr());
        putInterval(o, "accuracy_ci95", acc);
        ObjectNode pass = o.putObject("pass_at_k");
        ObjectNode passSe = o.putObject("pass_at_k_stderr");
        ObjectNode passCi = o.putObject("pass_at_k_ci95");
        ObjectNode maj = o.putObject("maj_at_k");
        ObjectNode majSe = o.putObject("maj_at_k_stderr");
        ObjectNode majCi = o.putObject("maj_at_k_ci95");
        for (int k : ks(samples)) {
            String key = String.valueOf(k);
            Interval p = passAtKInterval(k);
            put(pass, key, p.estimate());
            put(passSe, key, p.stderr());
            putInterval(passCi, key, p);
            Interval m = majAtKInterval(k);
            put(maj, key, m.estimate());
            put(majSe, key, m.stderr());
            putInterval(majCi, key, m);
        }
        ObjectNode signals = o.putObject("signals");
        ObjectNode aurocs = o.putObject("auroc");
        ObjectNode aurocSe = o.putObject("auroc_stderr");
        ObjectNode aurocCi = o.putObject("auroc_ci95");
        for (Signal s : Signal.values()) {
            ObjectNode n = signals.putObject(s.json());
            Stats all = stats(s, null);
            put(n, "mean", all.mean());
            put(n, "std", all.std());
            put(n, "mean_correct", stats(s, true).mean());
            put(n, "mean_incorrect", stats(s, false).mean());
            n.put("confident_when", s.higherIsMoreConfident() ? "higher" : "lower");
            Interval a = aurocInterval(s);
            put(n, "auroc", a.estimate());
            put(n, "auroc_stderr", a.stderr());
            putInterval(n, "auroc_ci95", a);
            put(aurocs, s.json(), a.estimate());
            put(aurocSe, s.json(), a.stderr());
            putInterval(aurocCi, s.json(), a);
        }
        if (samples > 1) {
            writeBestOfN(o.putObject("best_of_n"));
        }
        ObjectNode how = o.putObject("intervals");
        how.put("level", 0.95);
        how.put("unit", "problem");
        how.put("shares", "accuracy, pass@k and maj@k: standard error clustered by problem, Wilson score interval"
                + " at the effective sample size (docs/cli.md)");
        how.put("auroc", "DeLong's variance for rollouts clustered by problem (Obuchowski 1997), AUROC +- 1.96 se"
                + " clipped to [0, 1]");
        writeSelfCheckWords(o.putObject("self_check_words"));
        Stats len = new Stats();
        rows.forEach(r -> len.add(r.numTokens()));
        ObjectNode n = o.putObject("num_tokens");
        put(n, "mean", len.mean());
        put(n, "std", len.std());
    }

    /** Each self-checking word's occurrences per completion, all of them together, and the share of completions with one. */
    private void writeSelfCheckWords(ObjectNode o) {
        ObjectNode per = o.putObject("per_completion");
        ObjectNode perCi = o.putObject("per_completion_ci95");
        for (int w = 0; w <= SelfCheckWords.WORDS.size(); w++) {
            String key = w < SelfCheckWords.WORDS.size() ? SelfCheckWords.WORDS.get(w) : "all";
            Interval i = selfCheckWordsPerCompletion(w);
            put(per, key, i.estimate());
            putInterval(perCi, key, i);
        }
        Interval with = completionsWithSelfCheck();
        put(o, "completions_with_any", with.estimate());
        putInterval(o, "completions_with_any_ci95", with);
    }

    /**
     * Per signal, at each k: the accuracy of the most confident of the first k samples ({@code best_at_k}) and of
     * rank-weighted voting over them ({@code vote_at_k}), each with its standard error and interval.
     */
    private void writeBestOfN(ObjectNode o) {
        o.put("vote_power", BestOfN.VOTE_POWER);
        for (Signal s : Signal.values()) {
            ObjectNode n = o.putObject(s.json());
            for (boolean vote : new boolean[] {false, true}) {
                String name = vote ? "vote_at_k" : "best_at_k";
                ObjectNode value = n.putObject(name);
                ObjectNode se = n.putObject(name + "_stderr");
                ObjectNode ci = n.putObject(name + "_ci95");
                for (int k : ks(samples)) {
                    Interval i = bestOfNInterval(s, k, vote);
                    put(value, String.valueOf(k), i.estimate());
                    put(se, String.valueOf(k), i.stderr());
                    putInterval(ci, String.valueOf(k), i);
                }
            }
        }
    }

    /** {@code [low, high]}, or null when the interval is undefined. */
    static void putInterval(ObjectNode o, String field, Interval i) {
        if (i.isDefined()) {
            ArrayNode a = o.putArray(field);
            a.add(i.low());
            a.add(i.high());
        } else {
            o.putNull(field);
        }
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
