package rlif.evaluator.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import rlif.models.io.AtomicFiles;

/**
 * {@code report.html}: one self-contained page (charts embedded as base64 PNG) with the run's settings and
 * metrics and, per signal, histograms of correct and incorrect rollouts.
 */
public final class HtmlReport {
    private static final int BINS = 20;
    private static final int EXAMPLES = 8;

    private HtmlReport() {}

    /** Writes the report atomically; {@code summary} is the content of {@code summary.json}. */
    public static void write(Path file, ObjectNode summary, List<RolloutRow> rows) {
        // Charts are drawn off-screen; without this AWT would look for a display.
        System.setProperty("java.awt.headless", "true");
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>rlif score report</title>\n<style>")
                .append("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
                .append("pre{white-space:pre-wrap;margin:0;max-width:600px}img{max-width:100%}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1em}")
                .append("</style></head><body>\n<h1>rlif score</h1>\n");
        html.append("<h2>Settings</h2>\n").append(table(summary.get("settings")));
        html.append("<h2>Results</h2>\n<table>");
        row(html, "problems / rollouts", summary.at("/counts/problems") + " / " + summary.at("/counts/rollouts"));
        row(html, "graded / correct", summary.at("/counts/graded") + " / " + summary.at("/counts/correct"));
        row(html, "accuracy", number(summary.get("accuracy")));
        row(html, "pass@k", pairs(summary.get("pass_at_k")));
        row(html, "maj@k", pairs(summary.get("maj_at_k")));
        row(html, "finish eos / length", summary.at("/counts/finish_eos") + " / " + summary.at("/counts/finish_length"));
        row(html, "mean completion tokens", number(summary.at("/num_tokens/mean")));
        row(html, "tokens/s (this run)", number(summary.at("/throughput/tokens_per_second")));
        row(html, "wall time (s, this run)", number(summary.get("wall_seconds")));
        html.append("</table>\n<h2>Signals</h2>\n<table><tr><th>signal</th><th>mean</th><th>std</th>"
                + "<th>mean (correct)</th><th>mean (incorrect)</th><th>confident when</th><th>AUROC</th></tr>\n");
        for (Signal s : Signal.values()) {
            JsonNode n = summary.at("/signals/" + s.json());
            html.append("<tr><td>").append(s.json()).append("</td><td>").append(number(n.get("mean")))
                    .append("</td><td>").append(number(n.get("std"))).append("</td><td>")
                    .append(number(n.get("mean_correct"))).append("</td><td>").append(number(n.get("mean_incorrect")))
                    .append("</td><td>").append(n.get("confident_when").asText()).append("</td><td>")
                    .append(number(n.get("auroc"))).append("</td></tr>\n");
        }
        html.append("</table>\n<p>AUROC: probability that a correct rollout looks more confident than an incorrect "
                + "one by that signal (0.5 = no information; ties count one half).</p>\n<div class=\"grid\">\n");
        for (Signal s : Signal.values()) {
            html.append(image(histogram(s.json(), rows, r -> r.signal(s))));
        }
        html.append(image(histogram("num_tokens", rows, RolloutRow::numTokens)));
        html.append("</div>\n");
        html.append(examples(rows));
        html.append("</body></html>\n");
        AtomicFiles.writeString(file, html.toString());
    }

    /** Histogram of a value, one series per correctness group, as the share of the group in each bin. */
    private static XYChart histogram(String name, List<RolloutRow> rows, ToDoubleFunction<RolloutRow> value) {
        XYChart chart = new XYChartBuilder().width(520).height(320).title(name).xAxisTitle(name)
                .yAxisTitle("share of rollouts").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (RolloutRow r : rows) {
            double v = value.applyAsDouble(r);
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (!(min <= max)) {
            min = 0;
            max = 1;
        }
        if (max - min < 1e-9) {
            max = min + 1;
        }
        boolean anyGraded = rows.stream().anyMatch(r -> r.correct() != null);
        String[] labels = anyGraded ? new String[] {"correct", "incorrect", "ungraded"} : new String[] {"all"};
        for (String label : labels) {
            List<RolloutRow> group = rows.stream().filter(r -> !anyGraded || label.equals(groupOf(r))).toList();
            if (group.isEmpty()) {
                continue;
            }
            double[] x = new double[BINS + 1];
            double[] y = new double[BINS + 1];
            double width = (max - min) / BINS;
            for (int b = 0; b <= BINS; b++) {
                x[b] = min + b * width;
            }
            int counted = 0;
            for (RolloutRow r : group) {
                double v = value.applyAsDouble(r);
                if (Double.isFinite(v)) {
                    y[Math.min(BINS - 1, (int) ((v - min) / width))]++;
                    counted++;
                }
            }
            for (int b = 0; b < BINS; b++) {
                y[b] /= Math.max(1, counted);
            }
            // A step plot holds each value until the next x, so the last point repeats the last bin.
            y[BINS] = y[BINS - 1];
            chart.addSeries(label + " (" + counted + ")", x, y);
        }
        return chart;
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

    /** A chart as an {@code <img>} with the PNG embedded, so a page stays one self-contained file. */
    public static String image(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) {
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", bytes);
            byte[] png = bytes.toByteArray();
            return "<img alt=\"" + escape(chart.getTitle()) + "\" src=\"data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(png) + "\">\n";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw chart " + chart.getTitle() + ": " + e.getMessage(), e);
        }
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

    private static String pairs(JsonNode object) {
        List<String> parts = new ArrayList<>();
        object.fieldNames().forEachRemaining(k -> parts.add(k + ": " + number(object.get(k))));
        return String.join(", ", parts);
    }

    static String number(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "n/a";
        }
        return n.isIntegralNumber() ? n.asText() : String.format(Locale.ROOT, "%.4f", n.asDouble());
    }

    /** Text made safe to place in HTML text and attribute values. */
    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
