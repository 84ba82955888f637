package rlif.trainer.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import rlif.trainer.metrics.MetricsLog;
import rlif.evaluator.metrics.Intervals;
import rlif.evaluator.report.Charts;
import rlif.evaluator.report.Digits;
import rlif.models.io.AtomicFiles;

/**
 * {@code report.html} of a training run: held-out evaluation first (accuracy on a fixed 0..1 axis with 95%
 * intervals, the signals, and example completions of every evaluation), then the training curves, as PNGs
 * embedded in one self-contained page. Every numeric metric of {@code metrics.jsonl} is drawn, whatever it is
 * called; one that never changed is listed with its value and, where known, why, instead of being drawn as a
 * flat line that looks like a result.
 */
public final class TrainingReport {
    private static final int WIDTH = 400;
    private static final int HEIGHT = 270;
    private static final int EXAMPLES = 3;

    /** Metrics in page order where present (older and TRL names); others follow alphabetically. */
    static final List<String> ORDER = List.of("accuracy", "loss", "eval_loss", "reward", "reward_std", "token_entropy",
            "entropy", "self_certainty", "trajectory_entropy", "kl", "grad_norm", "completion_length",
            "completions/mean_length", "truncated_share", "completions/clipped_ratio", "clipped_share",
            "clip_ratio/region_mean", "flat_group_share", "frac_reward_zero_std", "distinct_3gram_ratio",
            "transitional_rate", "lr", "learning_rate", "tokens", "num_tokens");

    /** Row fields that are bookkeeping, not curves. */
    private static final Set<String> NOT_CURVES = Set.of("step", "eval", "graded", "skipped");

    /** Why a metric can sit still for a whole run. */
    private static final Map<String, String> WHY_CONSTANT = Map.ofEntries(
            Map.entry("kl", "no KL term (beta 0), so the distance to the reference is not computed, or the policy"
                    + " never left the reference"),
            Map.entry("clipped_share", "with one update per batch the probability ratio is 1, so nothing is clipped"),
            Map.entry("clip_ratio/region_mean", "with one update per batch the probability ratio is 1, so nothing is"
                    + " clipped"),
            Map.entry("flat_group_share", "no group of completions had rewards that were all equal"),
            Map.entry("frac_reward_zero_std", "no group of completions had rewards that were all equal"),
            Map.entry("truncated_share", "no completion reached the length limit"),
            Map.entry("completions/clipped_ratio", "no completion reached the length limit"),
            Map.entry("lr", "the learning rate is constant (no warm-up or decay in the config)"),
            Map.entry("learning_rate", "the learning rate is constant (no warm-up or decay in the config)"));

    private TrainingReport() {}

    public static void write(Path file, String title, List<Map<String, Object>> rows) {
        List<Map<String, Object>> train = rows.stream()
                .filter(MetricsLog::isTrainingStep).toList();
        List<Map<String, Object>> eval = rows.stream().filter(r -> Boolean.TRUE.equals(r.get("eval"))).toList();
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title><style>body{font-family:sans-serif;margin:2em;max-width:1300px;color:#222}")
                .append("img{margin:4px}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}")
                .append("pre{white-space:pre-wrap;margin:0;max-width:700px}.note{color:#555;font-size:0.92em}")
                .append("</style></head><body><h1>").append(escape(title)).append("</h1>\n");
        provenance(html, rows);
        gate(html, rows);
        if (!eval.isEmpty()) {
            html.append("<h2>Held-out evaluation</h2>\n<p class=\"note\">Accuracy on a fixed 0..1 axis with 95% Wilson"
                    + " intervals (one completion per held-out problem), so noise between evaluations does not pass"
                    + " for a trend.</p>\n");
            curves(html, eval, true);
            examples(html, eval);
        }
        if (!train.isEmpty()) {
            html.append("<h2>Training steps</h2>\n<p class=\"note\">Each step's own batch: accuracy and reward are"
                    + " over that step's sampled completions, so they are noisier than the held-out curves.</p>\n");
            curves(html, train, false);
        }
        html.append("</body></html>\n");
        AtomicFiles.writeString(file, html.toString());
    }

    /**
     * The sanity gate of a GRPO run (its {@code "gate": true} row), first: a run whose reward did not rise says so
     * before any of its curves can be read as a finding.
     */
    private static void gate(StringBuilder html, List<Map<String, Object>> rows) {
        for (Map<String, Object> r : rows) {
            if (Boolean.TRUE.equals(r.get("gate"))) {
                boolean ok = Boolean.TRUE.equals(r.get("optimised"));
                html.append("<p style=\"font-weight:bold;color:").append(ok ? "#060" : "#a00").append("\">Gate: ")
                        .append(escape(String.valueOf(r.get("verdict")))).append(". Slope of the optimised reward ")
                        .append(Digits.of(number(r, "reward_slope"))).append(" per step, standard error ")
                        .append(Digits.of(number(r, "reward_slope_stderr"))).append(" (Newey-West), t = ")
                        .append(Digits.of(number(r, "reward_slope_t"))).append(", over ").append(r.get("steps_fitted"))
                        .append(" steps").append(ok ? "." : ": these curves are no evidence about that reward.")
                        .append("</p>\n");
            }
        }
    }

    private static double number(Map<String, Object> row, String key) {
        return row.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static void provenance(StringBuilder html, List<Map<String, Object>> rows) {
        if (!rows.isEmpty() && rows.getFirst().get("provenance") instanceof Map<?, ?> p) {
            html.append("<p class=\"note\">");
            List<String> parts = new ArrayList<>();
            p.forEach((k, v) -> parts.add(escape(k + " " + v)));
            html.append(String.join("; ", parts)).append("</p>\n");
        }
    }

    /**
     * One chart per metric that moved; one line per metric that did not. {@code intervals}: draw the accuracy's
     * 95% interval (held-out rows, one completion per problem; a training batch's several completions per
     * problem are not independent, so its accuracy gets no binomial interval).
     */
    private static void curves(StringBuilder html, List<Map<String, Object>> rows, boolean intervals) {
        List<String> constant = new ArrayList<>();
        for (String key : keys(rows)) {
            List<double[]> points = points(rows, key);
            if (points.isEmpty()) {
                continue;
            }
            double first = points.getFirst()[1];
            if (points.stream().allMatch(p -> p[1] == first) && points.size() > 1) {
                String why = WHY_CONSTANT.get(key);
                constant.add(escape(key) + " = " + Digits.of(first) + " at every step"
                        + (why != null && (first == 0 || key.contains("lr") || key.contains("learning")) ? ": " + why : ""));
                continue;
            }
            html.append(Charts.img(chart(key, points, intervals ? rows : List.of())));
        }
        List<String> seconds = keys(rows).stream().filter(k -> k.startsWith("seconds_")).toList();
        if (!seconds.isEmpty()) {
            html.append(Charts.img(timing(seconds, rows)));
        }
        if (!constant.isEmpty()) {
            html.append("<p class=\"note\">Not drawn, as they did not change: ").append(String.join("; ", constant))
                    .append(".</p>\n");
        }
    }

    /** Numeric fields in page order; timings apart. */
    static List<String> keys(List<Map<String, Object>> rows) {
        Set<String> present = new LinkedHashSet<>();
        for (Map<String, Object> r : rows) {
            r.forEach((k, v) -> {
                if (v instanceof Number && !NOT_CURVES.contains(k)) {
                    present.add(k);
                }
            });
        }
        List<String> out = new ArrayList<>();
        for (String k : ORDER) {
            if (present.remove(k)) {
                out.add(k);
            }
        }
        present.stream().filter(k -> !k.startsWith("seconds_")).sorted().forEach(out::add);
        present.stream().filter(k -> k.startsWith("seconds_")).sorted().forEach(out::add);
        return out;
    }

    /** (step, value) of the rows with a finite value. */
    private static List<double[]> points(List<Map<String, Object>> rows, String key) {
        List<double[]> points = new ArrayList<>();
        if (key.startsWith("seconds_")) {
            return points;
        }
        for (Map<String, Object> r : rows) {
            if (r.get(key) instanceof Number y && r.get("step") instanceof Number x && Double.isFinite(y.doubleValue())) {
                points.add(new double[] {x.doubleValue(), y.doubleValue()});
            }
        }
        return points;
    }

    /** Shares and accuracies live in [0, 1]: their axis is fixed there. */
    static boolean isShare(String key) {
        return key.equals("accuracy") || key.endsWith("_share") || key.endsWith("_ratio") || key.startsWith("frac_")
                || key.equals("clip_ratio/region_mean");
    }

    private static XYChart chart(String key, List<double[]> points, List<Map<String, Object>> rows) {
        XYChart chart = Charts.xy(key, "step", "", WIDTH, HEIGHT);
        chart.getStyler().setLegendVisible(false);
        double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
        if (isShare(key)) {
            Charts.unitYAxis(chart);
            if (key.equals("accuracy")) {
                errorBars(chart, rows);
            }
        } else {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double v : y) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            Charts.Axis axis = Charts.Axis.of(min, max);
            for (int i = 0; i < y.length; i++) {
                y[i] = axis.plot(y[i]);
            }
            axis.applyToY(chart);
        }
        XYSeries s = chart.addSeries(key, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(points.size() <= 60 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setLineColor(Charts.NEUTRAL);
        s.setLineStyle(Charts.SOLID);
        s.setMarkerColor(Charts.NEUTRAL);
        return chart;
    }

    /** The 95% Wilson interval of each accuracy over its {@code graded} completions, as a vertical bar. */
    private static void errorBars(XYChart chart, List<Map<String, Object>> rows) {
        int i = 0;
        for (Map<String, Object> r : rows) {
            if (r.get("accuracy") instanceof Number a && r.get("graded") instanceof Number n && n.doubleValue() > 0
                    && r.get("step") instanceof Number step) {
                double[] w = Intervals.wilson(a.doubleValue(), n.doubleValue());
                Charts.segment(chart, "interval " + i++, step.doubleValue(), w[0], step.doubleValue(), w[1],
                        Charts.NEUTRAL, false);
            }
        }
    }

    /** Seconds per step by phase, one line each. */
    private static XYChart timing(List<String> keys, List<Map<String, Object>> rows) {
        XYChart chart = Charts.xy("seconds per step, by phase", "step", "s", WIDTH, HEIGHT);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        chart.getStyler().setyAxisTickLabelsFormattingFunction(v -> Digits.of(v, 3));
        for (String key : keys) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (Map<String, Object> r : rows) {
                if (r.get(key) instanceof Number y && r.get("step") instanceof Number x) {
                    xs.add(x.doubleValue());
                    ys.add(y.doubleValue());
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(key.substring("seconds_".length()), xs, ys).setMarker(SeriesMarkers.NONE);
            }
        }
        return chart;
    }

    /** Example completions of each evaluation, so a reader sees what the curves are about. */
    private static void examples(StringBuilder html, List<Map<String, Object>> eval) {
        html.append("<h3>Example completions</h3>\n<table><tr><th>step</th><th>accuracy</th><th>completions"
                + " (the first of the held-out set)</th></tr>\n");
        for (Map<String, Object> r : eval) {
            List<String> texts = new ArrayList<>();
            if (r.get("examples") instanceof List<?> list) {
                for (Object o : list.subList(0, Math.min(EXAMPLES, list.size()))) {
                    if (o instanceof Map<?, ?> m) {
                        Object ok = m.get("correct");
                        texts.add((ok == null ? "" : Boolean.TRUE.equals(ok) ? "[correct] " : "[wrong] ")
                                + m.get("completion"));
                    } else {
                        texts.add(String.valueOf(o));
                    }
                }
            } else if (r.get("example") != null) {
                texts.add(String.valueOf(r.get("example")));
            }
            html.append("<tr><td>").append(r.get("step")).append("</td><td>")
                    .append(r.get("accuracy") instanceof Number a ? Digits.of(a.doubleValue()) : "n/a")
                    .append("</td><td>");
            for (String t : texts) {
                String shown = t.length() > 400 ? t.substring(0, 400) + "..." : t;
                html.append("<pre>").append(escape(shown.replaceAll("[\\p{Cntrl}&&[^\\n\\t]]", "\uFFFD")))
                        .append("</pre>");
            }
            html.append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
