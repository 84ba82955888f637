package rlif.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import rlif.evaluator.metrics.Interval;
import rlif.evaluator.metrics.Intervals;
import rlif.evaluator.validity.RewardValidity;

/**
 * The demo's results as plain-text tables, printed to stdout by {@code rlif demo} and shown in the report: the
 * two models, the validity of each internal signal as a reward, every run (its gate first: a run that did not
 * optimise its reward says so on its own line), each arm pooled over its seeds, and the mixing sweep. Intervals
 * are 95% over held-out problems.
 */
public final class SummaryTable {
    private SummaryTable() {}

    public static String render(DemoResult r) {
        StringBuilder sb = new StringBuilder();
        if (!r.plan().conclusive()) {
            sb.append("NOTE: ").append(r.plan().shortfall()).append(".\n\n");
        }
        sb.append(String.format(Locale.ROOT, "%-16s %-7s %-22s %-22s %-22s %-22s%n", "model", "format",
                "accuracy [95% CI]", "token entropy", "transitional/word", "with a check"));
        for (DemoResult.ModelScore m : r.models()) {
            HeldOut h = m.heldOut();
            sb.append(String.format(Locale.ROOT, "%-16s %-7s %-22s %-22s %-22s %-22s%n", m.name(), m.promptFormat(),
                    ci(h.accuracy(), 3), ci(h.tokenEntropy(), 3), ci(h.transitionalRate(), 4), ci(h.checkShare(), 3)));
        }
        sb.append("\nreward validity before training (rollouts of the held-out evaluation):\n");
        sb.append(RewardValidity.table(r.validity()));
        sb.append("\nruns (gate: slope of the optimised reward over steps, per 100 steps, +- its standard error):\n");
        sb.append(String.format(Locale.ROOT, "%-38s %-44s %-30s %-22s %s%n", "run (model/arm/seed)", "gate",
                "held-out accuracy by step", "accuracy change [CI]", "entropy, transitional/word first -> last"));
        for (DemoResult.Run run : r.runs()) {
            sb.append(String.format(Locale.ROOT, "%-38s %-44s %-30s %-22s %s%n", run.name(), gate(run),
                    curve(run.steps()), ci(run.accuracyChange(), 3),
                    f(run.first().heldOut().tokenEntropy().estimate(), 3) + " -> "
                            + f(run.last().heldOut().tokenEntropy().estimate(), 3) + ", "
                            + f(run.first().heldOut().transitionalRate().estimate(), 4) + " -> "
                            + f(run.last().heldOut().transitionalRate().estimate(), 4)));
        }
        sb.append("\narms, seeds pooled (intervals over problems; the seeds' spread is in the rows above):\n");
        sb.append(String.format(Locale.ROOT, "%-28s %-7s %-22s %-22s %-22s %-22s %s%n", "model/arm", "gates",
                "accuracy at start", "accuracy at end", "change [CI]", "token entropy at end", "transitional/word at end"));
        for (Map.Entry<String, List<DemoResult.Run>> arm : arms(r).entrySet()) {
            List<DemoResult.Run> runs = arm.getValue();
            HeldOut start = runs.getFirst().first().heldOut();
            HeldOut end = HeldOut.pool(runs.stream().map(x -> x.last().heldOut()).toList());
            long passed = runs.stream().filter(x -> x.gate().optimised()).count();
            Interval change = Intervals.pairedDifference(end.accuracyByProblem(), start.accuracyByProblem());
            sb.append(String.format(Locale.ROOT, "%-28s %-7s %-22s %-22s %-22s %-22s %s%n", arm.getKey(),
                    passed + "/" + runs.size(), ci(start.accuracy(), 3), ci(end.accuracy(), 3), ci(change, 3),
                    ci(end.tokenEntropy(), 3), ci(end.transitionalRate(), 4)));
        }
        if (!r.mix().isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%n%-22s %-22s %-22s %-22s%n", "mix alpha (instruct)", "accuracy",
                    "token entropy", "transitional/word"));
            for (DemoResult.MixPoint m : r.mix()) {
                sb.append(String.format(Locale.ROOT, "%-22s %-22s %-22s %-22s%n", Demo.alphaName(m.alpha()),
                        ci(m.heldOut().accuracy(), 3), ci(m.heldOut().tokenEntropy(), 3),
                        ci(m.heldOut().transitionalRate(), 4)));
            }
        }
        return sb.toString();
    }

    /** The runs grouped by model and arm, in run order. */
    static Map<String, List<DemoResult.Run>> arms(DemoResult r) {
        Map<String, List<DemoResult.Run>> out = new LinkedHashMap<>();
        for (DemoResult.Run run : r.runs()) {
            out.computeIfAbsent(run.model() + "/" + run.arm().name(), k -> new ArrayList<>()).add(run);
        }
        return out;
    }

    /** The gate in words, with the slope per 100 steps: what every run's line starts with. */
    static String gate(DemoResult.Run run) {
        var g = run.gate();
        String verdict = g.optimised() ? "optimised" : Double.isNaN(g.t()) ? g.verdict() : "DID NOT OPTIMISE ITS REWARD";
        return String.format(Locale.ROOT, "%s (%s +- %s)", verdict, f(100 * g.slope(), 3), f(100 * g.stderr(), 3));
    }

    private static String curve(List<DemoResult.StepPoint> steps) {
        StringBuilder sb = new StringBuilder();
        for (DemoResult.StepPoint s : steps) {
            sb.append(sb.isEmpty() ? "" : " ").append(f(s.heldOut().accuracy().estimate(), 2));
        }
        return sb.toString();
    }

    static String ci(Interval i, int digits) {
        String fmt = "%." + digits + "f";
        if (!i.isDefined()) {
            return f(i.estimate(), digits);
        }
        return String.format(Locale.ROOT, fmt + " [" + fmt + ", " + fmt + "]", i.estimate(), i.low(), i.high());
    }

    static String f(double v, int digits) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }
}
