package rlif.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import rlif.evaluator.compare.ComparisonReport;

/**
 * The comparison of a multi-model run on stdout: one line per model with its metrics and 95% intervals, and
 * under each model after the first its paired difference from the first.
 */
public final class ComparisonTable {
    private ComparisonTable() {}

    /** Prints {@code comparison} (the content of comparison.json) written to {@code out}. */
    public static void print(JsonNode comparison, String out, PrintStream o) {
        JsonNode models = comparison.get("models");
        String maxK = last(models.get(0).get("pass_at_k"));
        o.printf(Locale.ROOT, "%-22s %s%n", "output", out);
        o.printf(Locale.ROOT, "%-22s %d models, %d problems x %d samples, the same problems and seeds for each%n",
                "models", models.size(), comparison.get("problems").asInt(), comparison.get("samples").asInt());
        o.printf(Locale.ROOT, "%-22s %s; d = paired difference from it, 95%% intervals clustered by problem%n",
                "baseline", comparison.get("baseline").asText());
        table(o, models, List.of("accuracy", "pass@" + maxK, "maj@" + maxK),
                List.of("/accuracy", "/pass_at_k/" + maxK, "/maj_at_k/" + maxK));
        table(o, models, List.of("token_entropy", "self_certainty", "AUROC token_entropy", "AUROC self_certainty"),
                List.of("/signals/token_entropy/mean", "/signals/self_certainty/mean", "/signals/token_entropy/auroc",
                        "/signals/self_certainty/auroc"));
        o.printf(Locale.ROOT, "%-22s %s%n", "comparison", "comparison.json, comparison.html (every metric and signal)");
    }

    private static void table(PrintStream o, JsonNode models, List<String> titles, List<String> pointers) {
        o.println();
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-22s %6s", "model", "step"));
        for (String t : titles) {
            head.append(String.format(Locale.ROOT, "  %-28s", t));
        }
        o.println(head.toString().stripTrailing());
        for (int i = 0; i < models.size(); i++) {
            JsonNode m = models.get(i);
            line(o, m.get("name").asText(), m.get("step").isInt() ? m.get("step").asText() : "-", m, pointers);
            if (i > 0) {
                line(o, "  d", "", m.get("paired_difference"), pointers);
            }
        }
    }

    private static void line(PrintStream o, String name, String step, JsonNode values, List<String> pointers) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-22s %6s", name, step));
        for (String p : pointers) {
            b.append(String.format(Locale.ROOT, "  %-28s", ComparisonReport.cell(values.at(p))));
        }
        o.println(b.toString().stripTrailing());
    }

    private static String last(JsonNode object) {
        String k = null;
        for (var it = object.fieldNames(); it.hasNext(); ) {
            k = it.next();
        }
        return k;
    }
}
