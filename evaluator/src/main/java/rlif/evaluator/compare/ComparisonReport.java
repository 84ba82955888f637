package rlif.evaluator.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.awt.Color;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import rlif.evaluator.report.Charts;
import rlif.evaluator.report.Digits;
import rlif.evaluator.report.HtmlReport;
import rlif.evaluator.report.Signal;
import rlif.models.io.AtomicFiles;

/**
 * {@code comparison.html}: one self-contained page with every model's metrics and intervals, the paired
 * differences from the baseline, and one chart per metric. Models named {@code step-N} are plotted against N
 * (other models as flat reference lines); without any, the models are plotted side by side in order.
 */
public final class ComparisonReport {
    private static final int WIDTH = 520;
    private static final int HEIGHT = 320;

    private ComparisonReport() {}

    /** One metric of the page: its title and where it sits in a model's JSON. */
    private record Metric(String title, String pointer) {}

    /** Writes the page atomically from the content of {@code comparison.json}. */
    public static void write(Path file, ObjectNode comparison) {
        System.setProperty("java.awt.headless", "true");
        List<Metric> metrics = metrics(comparison);
        JsonNode models = comparison.get("models");
        String baseline = comparison.get("baseline").asText();
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>rlif score comparison</title>\n<style>")
                .append("body{font-family:sans-serif;max-width:1300px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0;font-size:90%}")
                .append("td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}")
                .append("img{max-width:100%}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1em}")
                .append("</style></head><body>\n<h1>rlif score: ").append(models.size()).append(" models</h1>\n");
        html.append("<p>").append(comparison.get("problems").asInt()).append(" problems, ")
                .append(comparison.get("samples").asInt()).append(" samples each, the same problems and seeds for every"
                        + " model. Baseline: <b>").append(HtmlReport.escape(baseline)).append("</b>. 95% intervals,"
                        + " problems as the unit: ").append(HtmlReport.escape(comparison.at("/intervals/models").asText()))
                .append("; differences: ").append(HtmlReport.escape(comparison.at("/intervals/paired_difference").asText()))
                .append(".</p>\n");
        html.append("<h2>Metrics</h2>\n").append(table(models, metrics, m -> m)).append('\n');
        html.append("<h2>Paired differences from ").append(HtmlReport.escape(baseline)).append("</h2>\n")
                .append(table(models, metrics, m -> m.get("paired_difference")))
                .append("<p>Each cell: this model minus the baseline, with its 95% interval; an interval that excludes 0"
                        + " is a difference the problems support.</p>\n");
        html.append("<h2>Charts</h2>\n<p>Each model's estimate with its 95% interval.</p>\n<div class=\"grid\">\n");
        boolean bySteps = false;
        for (JsonNode m : models) {
            bySteps |= m.get("step").isInt();
        }
        for (Metric metric : metrics) {
            html.append(Charts.img(chart(models, metric, bySteps))).append('\n');
        }
        html.append("</div>\n<h2>Settings</h2>\n<table>");
        comparison.get("settings").fields().forEachRemaining(e -> html.append("<tr><th>")
                .append(HtmlReport.escape(e.getKey())).append("</th><td>")
                .append(HtmlReport.escape(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()))
                .append("</td></tr>"));
        html.append("</table>\n</body></html>\n");
        AtomicFiles.writeString(file, html.toString());
    }

    private static List<Metric> metrics(ObjectNode comparison) {
        List<Metric> list = new ArrayList<>();
        JsonNode first = comparison.get("models").get(0);
        list.add(new Metric("accuracy", "/accuracy"));
        first.get("pass_at_k").fieldNames().forEachRemaining(k -> list.add(new Metric("pass@" + k, "/pass_at_k/" + k)));
        first.get("maj_at_k").fieldNames().forEachRemaining(k -> list.add(new Metric("maj@" + k, "/maj_at_k/" + k)));
        list.add(new Metric("completion tokens", "/num_tokens"));
        for (Signal s : Signal.values()) {
            list.add(new Metric(s.json() + " mean", "/signals/" + s.json() + "/mean"));
        }
        for (Signal s : Signal.values()) {
            list.add(new Metric(s.json() + " AUROC", "/signals/" + s.json() + "/auroc"));
        }
        return list;
    }

    /** One row per model, one column per metric, cells "value [lo, hi]" of the JSON part {@code part} picks. */
    private static String table(JsonNode models, List<Metric> metrics, Function<JsonNode, JsonNode> part) {
        StringBuilder t = new StringBuilder("<table><tr><th>model</th><th>step</th>");
        for (Metric m : metrics) {
            t.append("<th>").append(HtmlReport.escape(m.title())).append("</th>");
        }
        t.append("</tr>\n");
        for (JsonNode model : models) {
            t.append("<tr><td>").append(HtmlReport.escape(model.get("name").asText())).append("</td><td>")
                    .append(model.get("step").isInt() ? model.get("step").asText() : "").append("</td>");
            JsonNode values = part.apply(model);
            for (Metric m : metrics) {
                t.append("<td>").append(values == null || values.isNull() ? "" : cell(values.at(m.pointer())))
                        .append("</td>");
            }
            t.append("</tr>\n");
        }
        return t.append("</table>\n").toString();
    }

    /** "estimate [low, high]" of an estimate ({@link Digits}: four significant digits), "n/a" when undefined. */
    public static String cell(JsonNode est) {
        return est == null ? "n/a" : Digits.withInterval(est.get("estimate"), est.get("ci95"));
    }

    /** Reference-line colours of the models that are not checkpoints, in order. */
    private static final Color[] REFERENCE = {Charts.GREY, Charts.CORRECT, Charts.INCORRECT, new Color(0x6A, 0x1B, 0x9A),
        new Color(0xEF, 0x6C, 0x00)};

    /** One model's point of a metric: where it sits on x, and its estimate and 95% interval. */
    private record Point(String name, double x, boolean checkpoint, double estimate, double low, double high) {}

    /**
     * A metric's chart: every model's estimate with its 95% interval as a vertical segment. With checkpoints,
     * x is the training step and the other models are dashed reference lines across it; without, the models
     * stand side by side in order.
     */
    private static XYChart chart(JsonNode models, Metric metric, boolean bySteps) {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            JsonNode m = models.get(i);
            JsonNode est = m.at(metric.pointer());
            if (!est.path("estimate").isNumber()) {
                continue;
            }
            double e = est.get("estimate").asDouble();
            boolean hasCi = est.path("ci95").isArray();
            boolean checkpoint = bySteps && m.get("step").isInt();
            points.add(new Point(m.get("name").asText(), checkpoint ? m.get("step").asDouble() : i + 1, checkpoint, e,
                    hasCi ? est.get("ci95").get(0).asDouble() : e, hasCi ? est.get("ci95").get(1).asDouble() : e));
        }
        XYChart chart = Charts.xy(metric.title(), bySteps ? "training step" : "", "", WIDTH, HEIGHT);
        if (points.isEmpty()) {
            chart.setTitle(metric.title() + " (undefined for every model)");
            chart.addSeries("none", new double[] {0}, new double[] {0}).setShowInLegend(false);
            return chart;
        }
        double lo = points.stream().mapToDouble(Point::low).min().orElse(0);
        double hi = points.stream().mapToDouble(Point::high).max().orElse(1);
        Charts.Axis axis = Charts.Axis.of(lo, hi);
        axis.applyToY(chart);
        List<Point> steps = points.stream().filter(Point::checkpoint).toList();
        List<Point> shown = bySteps ? steps : points;
        if (!shown.isEmpty()) {
            XYSeries series = chart.addSeries(bySteps ? "checkpoints" : metric.title(),
                    shown.stream().mapToDouble(Point::x).toArray(),
                    shown.stream().mapToDouble(p -> axis.plot(p.estimate())).toArray());
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setMarkerColor(Charts.NEUTRAL);
            series.setLineColor(Charts.NEUTRAL);
            series.setLineStyle(Charts.SOLID);
            series.setShowInLegend(bySteps);
            if (!bySteps) {
                series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            }
            for (Point p : shown) {
                Charts.segment(chart, "ci " + p.name(), p.x(), axis.plot(p.low()), p.x(), axis.plot(p.high()),
                        Charts.NEUTRAL, false);
            }
        }
        if (bySteps) {
            double x0 = steps.isEmpty() ? 0 : steps.stream().mapToDouble(Point::x).min().getAsDouble();
            double x1 = steps.isEmpty() ? 1 : Math.max(x0 + 1, steps.stream().mapToDouble(Point::x).max().getAsDouble());
            int c = 0;
            for (Point p : points) {
                if (!p.checkpoint()) {
                    Charts.segment(chart, p.name(), x0, axis.plot(p.estimate()), x1, axis.plot(p.estimate()),
                            REFERENCE[c++ % REFERENCE.length], true).setShowInLegend(true);
                }
            }
        } else {
            chart.getStyler().setXAxisMin(0.5);
            chart.getStyler().setXAxisMax(points.size() + 0.5);
            chart.getStyler().setxAxisTickLabelsFormattingFunction(x -> {
                long i = Math.round(x);
                return Math.abs(x - i) < 1e-9 && i >= 1 && i <= models.size() ? models.get((int) i - 1).get("name").asText() : "";
            });
        }
        return chart;
    }
}
