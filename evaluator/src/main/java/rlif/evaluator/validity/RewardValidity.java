package rlif.evaluator.validity;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import rlif.evaluator.metrics.Auroc;
import rlif.evaluator.metrics.Interval;
import rlif.evaluator.metrics.Intervals;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.report.RolloutsFile;
import rlif.evaluator.report.Signal;
import rlif.models.BadInputException;

/**
 * Whether an internal signal is a valid reward on a model, measured before training on it, from the
 * {@code rollouts.jsonl} of an {@code rlif score} run with several samples per problem:
 *
 * <ul>
 *   <li><b>AUROC</b> of the signal's confidence (self-certainty, minus the entropies) for correctness over all
 *       rollouts, with DeLong's interval clustered by problem ({@link Auroc#withInterval});</li>
 *   <li><b>within-group AUROC</b>: the same, but only comparing completions of one prompt, which is all that
 *       GRPO's group-normalised advantages use: over every (correct, wrong) pair of a group, the share in which
 *       the correct one is more confident (ties one half), with the clustered ratio interval of
 *       {@link Intervals#proportion} (pairs per group as trials);</li>
 *   <li><b>content R^2</b>: the share of the signal's within-group variance that the completion's token
 *       histogram explains, out of fold ({@link ContentRegression}). A high share with an AUROC near 0.5 is
 *       the arith models' failure: the reward measures <em>which</em> tokens a completion contains, not whether
 *       the model is sure of its answer.</li>
 * </ul>
 */
public final class RewardValidity {
    /** The trajectory signals a run can be rewarded with, in report order. */
    public static final List<Signal> SIGNALS = List.of(Signal.SELF_CERTAINTY, Signal.TOKEN_ENTROPY,
            Signal.TRAJECTORY_ENTROPY);
    private static final long SEED = 12;

    private RewardValidity() {}

    /** One signal's validity on one scored run. */
    public record SignalValidity(Signal signal, Interval auroc, Interval withinGroupAuroc, long withinGroupPairs,
            ContentRegression.Result content) {}

    /** Every signal's validity on one scored run, with the run's size and accuracy. */
    public record Report(String name, int rollouts, int problems, double accuracy, int mixedGroups,
            List<SignalValidity> signals) {
        public Report {
            signals = List.copyOf(signals);
        }
    }

    /** Reads {@code DIR/rollouts.jsonl} of a score run (or a {@code rollouts.jsonl} given directly). */
    public static Report of(String name, Path scoreDirOrFile) {
        Path file = Files.isDirectory(scoreDirOrFile) ? scoreDirOrFile.resolve("rollouts.jsonl") : scoreDirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + " does not exist; give an rlif score --out directory");
        }
        List<RolloutRow> rows = new ArrayList<>();
        RolloutsFile.read(file, rows::add);
        if (rows.isEmpty()) {
            throw new BadInputException(file + " has no rollout rows");
        }
        return of(name, rows);
    }

    /** The validity of every signal over {@code rows}. */
    public static Report of(String name, List<RolloutRow> rows) {
        Map<Integer, List<RolloutRow>> groups = new TreeMap<>();
        for (RolloutRow r : rows) {
            groups.computeIfAbsent(r.promptIndex(), k -> new ArrayList<>()).add(r);
        }
        long graded = rows.stream().filter(r -> r.correct() != null).count();
        long correct = rows.stream().filter(r -> Boolean.TRUE.equals(r.correct())).count();
        int mixed = 0;
        for (List<RolloutRow> g : groups.values()) {
            boolean any = g.stream().anyMatch(r -> Boolean.TRUE.equals(r.correct()));
            boolean notAll = g.stream().anyMatch(r -> Boolean.FALSE.equals(r.correct()));
            mixed += any && notAll ? 1 : 0;
        }
        List<SignalValidity> out = new ArrayList<>();
        for (Signal s : SIGNALS) {
            out.add(signal(s, rows, groups));
        }
        return new Report(name, rows.size(), groups.size(), graded == 0 ? Double.NaN : (double) correct / graded, mixed,
                out);
    }

    private static SignalValidity signal(Signal s, List<RolloutRow> rows, Map<Integer, List<RolloutRow>> groups) {
        List<RolloutRow> usable = rows.stream().filter(r -> r.correct() != null && r.numTokens() > 0).toList();
        double[] scores = new double[usable.size()];
        boolean[] positive = new boolean[usable.size()];
        int[] cluster = new int[usable.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = s.confidence(usable.get(i).signal(s));
            positive[i] = usable.get(i).correct();
            cluster[i] = usable.get(i).promptIndex();
        }
        Interval auroc = Auroc.withInterval(scores, positive, cluster);
        double[] concordant = new double[groups.size()];
        double[] pairs = new double[groups.size()];
        int g = 0;
        for (List<RolloutRow> group : groups.values()) {
            for (RolloutRow a : group) {
                for (RolloutRow b : group) {
                    if (Boolean.TRUE.equals(a.correct()) && Boolean.FALSE.equals(b.correct()) && a.numTokens() > 0
                            && b.numTokens() > 0) {
                        double ca = s.confidence(a.signal(s));
                        double cb = s.confidence(b.signal(s));
                        if (Double.isFinite(ca) && Double.isFinite(cb)) {
                            pairs[g]++;
                            concordant[g] += ca > cb ? 1 : ca == cb ? 0.5 : 0;
                        }
                    }
                }
            }
            g++;
        }
        long totalPairs = (long) java.util.Arrays.stream(pairs).sum();
        Interval within = Intervals.proportion(concordant, pairs);
        List<ContentRegression.Item> items = new ArrayList<>();
        for (RolloutRow r : rows) {
            items.add(new ContentRegression.Item(r.promptIndex(), r.completionIds(), r.signal(s)));
        }
        return new SignalValidity(s, auroc, within, totalPairs, ContentRegression.of(items, SEED));
    }

    /** The reports as a plain-text table. */
    public static String table(List<Report> reports) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-24s %-19s %-22s %-29s %s%n", "model (accuracy)", "signal",
                "AUROC [95% CI]", "within-group AUROC [95% CI]", "content R^2 within groups [95% CI]"));
        for (Report r : reports) {
            String model = String.format(Locale.ROOT, "%s (%.3f)", r.name(), r.accuracy());
            for (SignalValidity v : r.signals()) {
                sb.append(String.format(Locale.ROOT, "%-24s %-19s %-22s %-29s %s%n", model, v.signal().json(),
                        interval(v.auroc()), interval(v.withinGroupAuroc()) + " n=" + v.withinGroupPairs(),
                        interval(v.content().r2())));
                model = "";
            }
        }
        return sb.toString();
    }

    private static String interval(Interval i) {
        return i.isDefined() ? String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", i.estimate(), i.low(), i.high())
                : String.format(Locale.ROOT, "%.3f", i.estimate());
    }

    /** One report as JSON. */
    public static ObjectNode toJson(Report r) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", r.name());
        o.put("rollouts", r.rollouts());
        o.put("problems", r.problems());
        putNumber(o, "accuracy", r.accuracy());
        o.put("mixed_groups", r.mixedGroups());
        ObjectNode signals = o.putObject("signals");
        for (SignalValidity v : r.signals()) {
            ObjectNode s = signals.putObject(v.signal().json());
            putInterval(s, "auroc", v.auroc());
            putInterval(s, "within_group_auroc", v.withinGroupAuroc());
            s.put("within_group_pairs", v.withinGroupPairs());
            putInterval(s, "content_r2", v.content().r2());
            s.put("content_completions", v.content().completions());
            s.put("content_groups", v.content().groups());
        }
        return o;
    }

    private static void putInterval(ObjectNode o, String name, Interval i) {
        putNumber(o, name, i.estimate());
        putNumber(o, name + "_stderr", i.stderr());
        if (i.isDefined()) {
            o.putArray(name + "_ci95").add(i.low()).add(i.high());
        } else {
            o.putNull(name + "_ci95");
        }
    }

    private static void putNumber(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
    }
}
