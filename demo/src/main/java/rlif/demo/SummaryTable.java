package rlif.demo;

import java.util.Locale;

/**
 * The demo's results as plain-text tables: the two models, every run from its first to its best and last
 * held-out evaluation, and the mixing sweep. Printed to stdout by {@code rlif demo} and shown in the report.
 */
public final class SummaryTable {
    private SummaryTable() {}

    public static String render(DemoResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-22s %9s %14s %15s%n", "model", "accuracy", "token_entropy",
                "self_certainty"));
        for (DemoResult.ModelScore m : r.models()) {
            sb.append(String.format(Locale.ROOT, "%-22s %9s %14s %15s%n", m.name(), f(m.accuracy()),
                    f(m.tokenEntropy()), f(m.selfCertainty())));
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "%-30s %23s %14s %17s %17s%n", "run (model/reward)",
                "accuracy first->last", "best (step)", "entropy first->last", "self-cert first->last"));
        for (DemoResult.Run run : r.runs()) {
            DemoResult.StepPoint best = run.first();
            for (DemoResult.StepPoint s : run.steps()) {
                if (s.accuracy() != null && (best.accuracy() == null || s.accuracy() > best.accuracy())) {
                    best = s;
                }
            }
            sb.append(String.format(Locale.ROOT, "%-30s %23s %14s %17s %17s%n", run.name(),
                    f(run.first().accuracy()) + " -> " + f(run.last().accuracy()),
                    f(best.accuracy()) + " (" + best.step() + ")",
                    f(run.first().tokenEntropy()) + " -> " + f(run.last().tokenEntropy()),
                    f(run.first().selfCertainty()) + " -> " + f(run.last().selfCertainty())));
        }
        if (!r.mix().isEmpty()) {
            sb.append('\n');
            sb.append(String.format(Locale.ROOT, "%-22s %9s %14s %15s%n", "mix alpha (instruct)", "accuracy",
                    "token_entropy", "self_certainty"));
            for (DemoResult.MixPoint m : r.mix()) {
                sb.append(String.format(Locale.ROOT, "%-22s %9s %14s %15s%n", Demo.alphaName(m.alpha()),
                        f(m.accuracy()), f(m.tokenEntropy()), f(m.selfCertainty())));
            }
        }
        return sb.toString();
    }

    private static String f(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
