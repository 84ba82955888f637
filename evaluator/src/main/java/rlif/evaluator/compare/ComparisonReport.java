package rlif.evaluator.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import rlif.evaluator.report.HtmlReport;
import rlif.evaluator.report.Signal;
import rlif.models.io.AtomicFiles;

/**
 * {@code comparison.html}: one self-contained page with every model's metrics and intervals, the paired
 * differences from the baseline, and one chart per metric. Models named {@code step-N} are plotted against N
 * (other models as flat reference lines); without any, the models are plotted side by side in order.
 */
public final class ComparisonReport {
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
        html.append("<h2>Charts</h2>\n<p>Points with error bars of 1.96 standard errors.</p>\n<div class=\"grid\">\n");
        boolean bySteps = false;
        for (JsonNode m : models) {
            bySteps |= m.get("step").isInt();
        }
        for (Metric metric : metrics) {
            html.append(HtmlReport.image(bySteps ? againstStep(models, metric) : sideBySide(models, metric)));
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

    /** "value [lo, hi]" of an estimate; "n/a" when undefined. */
    public static String cell(JsonNode est) {
        if (est == null || !est.path("estimate").isNumber()) {
            return "n/a";
        }
        String v = String.format(Locale.ROOT, "%.3f", est.get("estimate").asDouble());
        JsonNode ci = est.get("ci95");
        if (ci == null || !ci.isArray()) {
            return v;
        }
        return String.format(Locale.ROOT, "%s [%.3f, %.3f]", v, ci.get(0).asDouble(), ci.get(1).asDouble());
    }

    private static XYChart againstStep(JsonNode models, Metric metric) {
        XYChart chart = new XYChartBuilder().width(560).height(340).title(metric.title()).xAxisTitle("training step")
                .yAxisTitle(metric.title()).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        List<Double> steps = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        double minStep = Double.POSITIVE_INFINITY;
        double maxStep = Double.NEGATIVE_INFINITY;
        for (JsonNode m : models) {
            if (m.get("step").isInt()) {
                minStep = Math.min(minStep, m.get("step").asDouble());
                maxStep = Math.max(maxStep, m.get("step").asDouble());
                JsonNode est = m.at(metric.pointer());
                if (est.path("estimate").isNumber()) {
                    steps.add(m.get("step").asDouble());
                    values.add(est.get("estimate").asDouble());
                    errors.add(errorBar(est));
                }
            }
        }
        if (!steps.isEmpty()) {
            chart.addSeries("checkpoints", steps, values, errors);
        }
        boolean any = !steps.isEmpty();
        if (maxStep == minStep) {
            maxStep = minStep + 1;
        }
        for (JsonNode m : models) {
            JsonNode est = m.at(metric.pointer());
            if (!m.get("step").isInt() && est.path("estimate").isNumber()) {
                double v = est.get("estimate").asDouble();
                XYSeries line = chart.addSeries(m.get("name").asText(), new double[] {minStep, maxStep}, new double[] {v, v});
                line.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
                any = true;
            }
        }
        return any ? chart : emptyChart(metric);
    }

    private static Chart<?, ?> sideBySide(JsonNode models, Metric metric) {
        CategoryChart chart = new CategoryChartBuilder().width(560).height(340).title(metric.title())
                .yAxisTitle(metric.title()).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(models.size() > 4 ? 45 : 0);
        List<String> names = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        for (JsonNode m : models) {
            JsonNode est = m.at(metric.pointer());
            if (est.path("estimate").isNumber()) {
                names.add(m.get("name").asText());
                values.add(est.get("estimate").asDouble());
                errors.add(errorBar(est));
            }
        }
        if (names.isEmpty()) {
            return emptyChart(metric);
        }
        chart.addSeries(metric.title(), names, values, errors);
        return chart;
    }

    private static double errorBar(JsonNode est) {
        return est.path("stderr").isNumber() ? rlif.evaluator.metrics.Interval.Z95 * est.get("stderr").asDouble() : 0;
    }

    private static XYChart emptyChart(Metric metric) {
        XYChart chart = new XYChartBuilder().width(560).height(340).title(metric.title() + " (undefined)").build();
        chart.addSeries("none", new double[] {0}, new double[] {0});
        return chart;
    }
}
