package rlif.evaluator.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import rlif.evaluator.metrics.Calibration;
import rlif.evaluator.metrics.Interval;
import rlif.evaluator.metrics.RocCurve;
import rlif.models.io.AtomicFiles;

/**
 * {@code report.html}: one self-contained page (charts embedded as base64 PNG) with the run's results and
 * their 95% intervals, and per signal a histogram of correct and incorrect rollouts, its ROC curve and its
 * reliability plot (accuracy by signal bin, with error bars), then the settings, provenance and the first
 * rollouts as text.
 */
public final class HtmlReport {
    private static final int BINS = 20;
    private static final int CALIBRATION_BINS = 10;
    private static final int EXAMPLES = 8;
    private static final int WIDTH = 360;
    private static final int HEIGHT = 280;

    private HtmlReport() {}

    /** Writes the report atomically; {@code summary} is the content of {@code summary.json}. */
    public static void write(Path file, ObjectNode summary, List<RolloutRow> rows) {
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>rlif score report</title>\n<style>")
                .append("body{font-family:sans-serif;max-width:1140px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
                .append("td.n{text-align:right;font-variant-numeric:tabular-nums}")
                .append("pre{white-space:pre-wrap;margin:0;max-width:560px}img{max-width:100%}")
                .append(".row{display:flex;gap:8px;flex-wrap:wrap}.note{color:#555;font-size:0.92em;max-width:1100px}")
                .append("</style></head><body>\n<h1>rlif score</h1>\n");
        JsonNode settings = summary.path("settings");
        html.append("<p class=\"note\">model <code>").append(escape(settings.path("model").asText()))
                .append("</code>, data <code>").append(escape(settings.path("data").asText())).append("</code>")
                .append(provenanceLine(summary.path("provenance"))).append("</p>\n");
        results(html, summary);
        signals(html, summary, rows);
        html.append("<h2>Settings</h2>\n").append(table(settings));
        if (summary.has("provenance")) {
            html.append("<h2>Provenance</h2>\n").append(table(summary.get("provenance")));
        }
        html.append(examples(rows));
        html.append("</body></html>\n");
        AtomicFiles.writeString(file, html.toString());
    }

    private static String provenanceLine(JsonNode p) {
        if (p.isMissingNode()) {
            return "";
        }
        return ", " + escape(p.path("rlif_version").asText()) + " at " + escape(p.path("git_commit").asText())
                + ", " + escape(p.path("date").asText());
    }

    private static void results(StringBuilder html, ObjectNode s) {
        html.append("<h2>Results</h2>\n<table>");
        row(html, "problems / rollouts", s.at("/counts/problems") + " / " + s.at("/counts/rollouts"));
        row(html, "graded / correct", s.at("/counts/graded") + " / " + s.at("/counts/correct"));
        row(html, "accuracy [95% interval]", Digits.withInterval(s.get("accuracy"), s.get("accuracy_ci95"))
                + "  (standard error " + Digits.of(s.get("accuracy_stderr")) + ")");
        row(html, "finish eos / length", s.at("/counts/finish_eos") + " / " + s.at("/counts/finish_length"));
        row(html, "mean completion tokens", Digits.of(s.at("/num_tokens/mean")));
        row(html, "tokens/s (this run)", Digits.of(s.at("/throughput/tokens_per_second")));
        row(html, "wall time (s, this run)", Digits.of(s.get("wall_seconds")));
        html.append("</table>\n<table><tr><th>k</th><th>pass@k [95% interval]</th><th>maj@k [95% interval]</th></tr>\n");
        List<String> ks = new ArrayList<>();
        s.path("pass_at_k").fieldNames().forEachRemaining(ks::add);
        for (String k : ks) {
            html.append("<tr><td class=\"n\">").append(k).append("</td><td class=\"n\">")
                    .append(Digits.withInterval(s.at("/pass_at_k/" + k), s.at("/pass_at_k_ci95/" + k)))
                    .append("</td><td class=\"n\">")
                    .append(Digits.withInterval(s.at("/maj_at_k/" + k), s.at("/maj_at_k_ci95/" + k)))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n");
        bestOfN(html, s, ks.getLast());
        html.append("<p class=\"note\">Intervals are 95%, with the problem as the unit: rollouts of one"
                + " problem are not independent, so the standard errors are clustered by problem (Wilson intervals"
                + " for the shares, clustered DeLong for AUROC; docs/cli.md). n/a: too few problems to tell.</p>\n");
    }

    /** With several samples per problem: each signal's best-of-k and rank-weighted vote at the largest k. */
    private static void bestOfN(StringBuilder html, ObjectNode s, String k) {
        JsonNode best = s.get("best_of_n");
        if (best == null) {
            return;
        }
        html.append("<table><tr><th>selected by</th><th>best-of-").append(k).append(": most confident [95% interval]</th>")
                .append("<th>rank-weighted vote, p = ").append(Digits.of(best.get("vote_power")))
                .append(" [95% interval]</th></tr>\n");
        for (Signal sig : Signal.values()) {
            JsonNode n = best.get(sig.json());
            html.append("<tr><td>").append(sig.json()).append("</td><td class=\"n\">")
                    .append(Digits.withInterval(n.at("/best_at_k/" + k), n.at("/best_at_k_ci95/" + k)))
                    .append("</td><td class=\"n\">")
                    .append(Digits.withInterval(n.at("/vote_at_k/" + k), n.at("/vote_at_k_ci95/" + k)))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private static void signals(StringBuilder html, ObjectNode summary, List<RolloutRow> rows) {
        html.append("<h2>Signals</h2>\n<table><tr><th>signal</th><th>mean</th><th>std</th><th>mean (correct)</th>"
                + "<th>mean (incorrect)</th><th>confident when</th><th>AUROC [95% interval]</th></tr>\n");
        for (Signal s : Signal.values()) {
            JsonNode n = summary.at("/signals/" + s.json());
            html.append("<tr><td>").append(s.json()).append("</td>");
            for (String field : List.of("mean", "std", "mean_correct", "mean_incorrect")) {
                html.append("<td class=\"n\">").append(Digits.of(n.get(field))).append("</td>");
            }
            html.append("<td>").append(n.path("confident_when").asText()).append("</td><td class=\"n\">")
                    .append(Digits.withInterval(n.get("auroc"), n.get("auroc_ci95"))).append("</td></tr>\n");
        }
        html.append("</table>\n<p class=\"note\">AUROC: the probability that a correct rollout looks more confident"
                + " than an incorrect one by that signal (0.5 = no information; ties count one half). Per signal"
                + " below: the distribution for correct and incorrect rollouts; the ROC curve (true against false"
                + " positive rate as the confidence threshold falls; the diagonal is chance); and the reliability"
                + " plot: rollouts cut into bins of equal count by the signal, each bin's accuracy with its 95%"
                + " interval (a signal that tracks correctness rises or falls across the bins; the dashed line is"
                + " the overall accuracy).</p>\n");
        List<RolloutRow> graded = rows.stream().filter(r -> r.correct() != null).toList();
        long correct = graded.stream().filter(RolloutRow::correct).count();
        String why = graded.isEmpty() ? "no rollout is graded (the data has no references)"
                : correct == 0 ? "every graded rollout is incorrect" : correct == graded.size()
                ? "every graded rollout is correct" : null;
        if (why != null) {
            html.append("<p class=\"note\">No ROC curves or reliability plots: ").append(why)
                    .append(", so no signal can be judged on telling right from wrong.</p>\n");
        }
        for (Signal s : Signal.values()) {
            html.append("<h3>").append(s.json()).append(" (confident when ")
                    .append(s.higherIsMoreConfident() ? "higher" : "lower").append(")</h3>\n<div class=\"row\">")
                    .append(Charts.img(histogram(s.json(), rows, r -> r.signal(s))));
            if (why == null) {
                Interval auroc = new Summary(graded, 1).aurocInterval(s);
                html.append(Charts.img(roc(s, graded, auroc))).append(Charts.img(calibration(s, graded,
                        summary.path("accuracy").asDouble())));
            }
            html.append("</div>\n");
        }
        html.append("<h3>completion length</h3>\n<div class=\"row\">")
                .append(Charts.img(histogram("num_tokens", rows, RolloutRow::numTokens))).append("</div>\n");
    }

    /** Histogram of a value, one series per correctness group, as the share of the group in each bin. */
    static XYChart histogram(String name, List<RolloutRow> rows, ToDoubleFunction<RolloutRow> value) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (RolloutRow r : rows) {
            double v = value.applyAsDouble(r);
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        Charts.Axis axis = Charts.Axis.of(min, max);
        boolean constant = min == max;
        XYChart chart = Charts.xy(constant ? name + " (all " + Digits.of(min) + ")" : name + " distribution", name,
                "share of rollouts", WIDTH, HEIGHT);
        axis.applyToX(chart);
        Charts.unitYAxis(chart);
        chart.getStyler().setYAxisMax(null);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        double lo = axis.min();
        double width = (axis.max() - axis.min()) / BINS;
        boolean anyGraded = rows.stream().anyMatch(r -> r.correct() != null);
        String[] labels = anyGraded ? new String[] {"correct", "incorrect", "ungraded"} : new String[] {"all"};
        for (String label : labels) {
            List<RolloutRow> group = rows.stream().filter(r -> !anyGraded || label.equals(groupOf(r))).toList();
            if (group.isEmpty()) {
                continue;
            }
            double[] share = new double[BINS];
            int counted = 0;
            for (RolloutRow r : group) {
                double v = value.applyAsDouble(r);
                if (Double.isFinite(v)) {
                    share[Math.max(0, Math.min(BINS - 1, (int) ((v - lo) / width)))]++;
                    counted++;
                }
            }
            // The outline of the bars as explicit corners, plus one point on the top of the first bar: XChart
            // labels the ticks of an axis whose distinct x values are equally spaced (the bin edges) at those
            // values instead of at round numbers, and the extra point breaks the spacing without showing.
            double[] x = new double[2 * BINS + 3];
            double[] y = new double[2 * BINS + 3];
            for (int b = 0; b < BINS; b++) {
                double h = share[b] / Math.max(1, counted);
                x[2 * b + 1] = axis.plot(lo + b * width);
                x[2 * b + 2] = axis.plot(lo + (b + 1) * width);
                y[2 * b + 1] = h;
                y[2 * b + 2] = h;
            }
            x[0] = x[1];
            x[2 * BINS + 1] = x[2 * BINS];
            // the extra point: a third of the way along the first bar's top, moved in after its left corner
            System.arraycopy(x, 2, x, 3, 2 * BINS);
            System.arraycopy(y, 2, y, 3, 2 * BINS);
            x[2] = x[1] + width / 3;
            y[2] = y[1];
            XYSeries series = chart.addSeries(label + " (" + counted + ")", x, y);
            series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
            series.setMarker(SeriesMarkers.NONE);
            Color c = colorOf(label);
            series.setLineColor(c);
            series.setLineStyle(Charts.SOLID);
            series.setFillColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 70));
        }
        return chart;
    }

    /** The ROC curve of a signal's confidence for correctness, the AUROC and its interval in the legend. */
    private static XYChart roc(Signal s, List<RolloutRow> graded, Interval auroc) {
        double[] scores = new double[graded.size()];
        boolean[] labels = new boolean[graded.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = s.confidence(graded.get(i).signal(s));
            labels[i] = graded.get(i).correct();
        }
        RocCurve curve = RocCurve.of(scores, labels);
        XYChart chart = Charts.xy(s.json() + " ROC", "false positive rate", "true positive rate", WIDTH, HEIGHT);
        Charts.unitYAxis(chart);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(1.0);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(v -> Digits.fixed(v, 2));
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        String legend = "AUROC " + Digits.of(auroc.estimate(), 3) + " " + Digits.interval(auroc);
        XYSeries series = chart.addSeries(legend, curve.falsePositiveRate(), curve.truePositiveRate());
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(Charts.NEUTRAL);
        series.setLineStyle(Charts.SOLID);
        Charts.segment(chart, "chance", 0, 0, 1, 1, Charts.GREY, true);
        return chart;
    }

    /** Accuracy by signal bin, with 95% intervals as error bars and the overall accuracy as a dashed line. */
    private static XYChart calibration(Signal s, List<RolloutRow> graded, double accuracy) {
        double[] values = new double[graded.size()];
        boolean[] correct = new boolean[graded.size()];
        int[] problem = new int[graded.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = graded.get(i).signal(s);
            correct[i] = graded.get(i).correct();
            problem[i] = graded.get(i).promptIndex();
        }
        int bins = Math.max(2, Math.min(CALIBRATION_BINS, graded.size() / 8));
        List<Calibration.Bin> table = Calibration.of(values, correct, problem, bins);
        double min = table.isEmpty() ? 0 : table.getFirst().meanValue();
        double max = table.isEmpty() ? 1 : table.getLast().meanValue();
        Charts.Axis axis = Charts.Axis.of(min - 0.05 * (max - min), max + 0.05 * (max - min));
        XYChart chart = Charts.xy(s.json() + " reliability", s.json() + " (bin mean)", "accuracy", WIDTH, HEIGHT);
        axis.applyToX(chart);
        Charts.unitYAxis(chart);
        chart.getStyler().setLegendVisible(false);
        if (table.isEmpty()) {
            return chart;
        }
        double[] x = new double[table.size()];
        double[] y = new double[table.size()];
        for (int i = 0; i < x.length; i++) {
            Calibration.Bin b = table.get(i);
            x[i] = axis.plot(b.meanValue());
            y[i] = b.accuracy().estimate();
            if (b.accuracy().isDefined()) {
                Charts.segment(chart, "bin " + i, x[i], b.accuracy().low(), x[i], b.accuracy().high(), Charts.NEUTRAL, false);
            }
        }
        Charts.segment(chart, "overall", axis.plot(axis.min()), accuracy, axis.plot(axis.max()), accuracy, Charts.GREY, true);
        XYSeries series = chart.addSeries("accuracy by bin", x, y);
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setMarkerColor(Charts.NEUTRAL);
        series.setLineColor(Charts.NEUTRAL);
        series.setLineStyle(Charts.SOLID);
        return chart;
    }

    private static Color colorOf(String group) {
        return switch (group) {
            case "correct" -> Charts.CORRECT;
            case "incorrect" -> Charts.INCORRECT;
            case "ungraded" -> Charts.GREY;
            default -> Charts.NEUTRAL;
        };
    }

    /** The first few rollouts as text, so a reader sees what the numbers are about. */
    private static String examples(List<RolloutRow> rows) {
        StringBuilder t = new StringBuilder("<h2>First rollouts</h2>\n<table><tr><th>prompt</th><th>sample</th>"
                + "<th>finish</th><th>answer</th><th>reference</th><th>correct</th><th>completion</th></tr>\n");
        for (RolloutRow r : rows.subList(0, Math.min(EXAMPLES, rows.size()))) {
            String text = r.completion().length() > 300 ? r.completion().substring(0, 300) + "..." : r.completion();
            // Control characters (byte tokens of a random model) are not valid HTML text.
            text = text.replaceAll("[\\p{Cntrl}&&[^\\n\\t]]", "\uFFFD");
            t.append("<tr><td>").append(escape(r.id())).append("</td><td>").append(r.sample()).append("</td><td>")
                    .append(r.finishReason()).append("</td><td>").append(escape(String.valueOf(r.answer())))
                    .append("</td><td>").append(escape(String.valueOf(r.reference()))).append("</td><td>")
                    .append(r.correct()).append("</td><td><pre>").append(escape(text)).append("</pre></td></tr>\n");
        }
        return t.append("</table>\n").toString();
    }

    private static String groupOf(RolloutRow r) {
        return r.correct() == null ? "ungraded" : r.correct() ? "correct" : "incorrect";
    }

    private static String table(JsonNode object) {
        StringBuilder t = new StringBuilder("<table>");
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        for (String n : names) {
            row(t, n, object.get(n).isTextual() ? object.get(n).asText() : object.get(n).toString());
        }
        return t.append("</table>\n").toString();
    }

    private static void row(StringBuilder html, String name, String value) {
        html.append("<tr><th>").append(escape(name)).append("</th><td>").append(escape(value)).append("</td></tr>\n");
    }

    /** Text made safe to place in HTML text and attribute values. */
    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
