package rlif.trainer.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import rlif.evaluator.metrics.Intervals;
import rlif.evaluator.report.Charts;
import rlif.evaluator.report.Digits;
import rlif.models.io.AtomicFiles;

/**
 * {@code report.html} of {@code rlif demo}: the tables of {@link SummaryTable}, the held-out curves of every
 * run against the step (one chart per metric and starting model, one line per reward), and accuracy and
 * entropy against the mixing weight alpha; charts are PNGs embedded in one self-contained page.
 */
public final class DemoReport {
    private DemoReport() {}

    /** One colour per reward, fixed so a run's error bars match its line. */
    private static final java.awt.Color[] PALETTE = {Charts.NEUTRAL, Charts.INCORRECT, Charts.CORRECT,
        new java.awt.Color(0xEF, 0x6C, 0x00), Charts.GREY};

    /** A plotted held-out metric: its title and how to read it from a step. */
    private record Metric(String title, Function<DemoResult.StepPoint, Double> value) {}

    private static final List<Metric> CURVES = List.of(
            new Metric("held-out accuracy", DemoResult.StepPoint::accuracy),
            new Metric("token entropy", DemoResult.StepPoint::tokenEntropy),
            new Metric("self-certainty", DemoResult.StepPoint::selfCertainty),
            new Metric("completion length (tokens)", DemoResult.StepPoint::completionLength),
            new Metric("transitional-word rate", DemoResult.StepPoint::transitionalRate));

    public static void write(Path file, DemoPlan plan, DemoResult r) {
        System.setProperty("java.awt.headless", "true");
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>rlif demo</title><style>")
                .append("body{font-family:sans-serif;margin:2em;max-width:1400px}img{margin:4px}")
                .append("pre{background:#f6f6f6;padding:1em}</style></head><body>")
                .append("<h1>rlif demo: internal feedback versus verifiable rewards, in miniature</h1>")
                .append("<p>Task <code>").append(escape(plan.task())).append("</code>; held-out set <code>")
                .append(escape(plan.heldOutSpec())).append("</code>, one sample per problem at temperature 1. GRPO runs: ")
                .append(plan.steps()).append(" steps of ").append(plan.promptsPerStep()).append(" problems x ")
                .append(plan.groupSize()).append(" samples, full training, learning rate ")
                .append(plan.learningRate()).append(", no KL term.</p>")
                .append("<h2>Summary</h2><pre>").append(escape(SummaryTable.render(r))).append("</pre>");
        for (String model : r.runs().stream().map(DemoResult.Run::model).distinct().toList()) {
            html.append("<h2>Runs from ").append(escape(model)).append("</h2>");
            List<DemoResult.Run> runs = r.runs().stream().filter(x -> x.model().equals(model)).toList();
            for (Metric m : CURVES) {
                XYChart chart = chart(m.title() + " (" + model + ")", "step", m.title());
                boolean accuracy = m.title().contains("accuracy");
                if (accuracy) {
                    // a fixed 0..1 axis: auto-zoom makes noise between evaluations look like collapse
                    Charts.unitYAxis(chart);
                }
                boolean any = false;
                java.util.Set<Double> values = new java.util.HashSet<>();
                runs.forEach(run -> run.steps().forEach(s -> values.add(m.value().apply(s))));
                values.remove(null);
                if (values.size() == 1) {
                    // a flat line would read as a finding; say what it is instead
                    html.append("<p>").append(escape(m.title())).append(" (").append(escape(model)).append("): ")
                            .append(Digits.of(values.iterator().next())).append(" at every evaluation of every run;"
                                    + " not drawn.</p>");
                    continue;
                }
                for (int i = 0; i < runs.size(); i++) {
                    DemoResult.Run run = runs.get(i);
                    List<Double> xs = new ArrayList<>();
                    List<Double> ys = new ArrayList<>();
                    for (DemoResult.StepPoint s : run.steps()) {
                        Double y = m.value().apply(s);
                        if (y != null) {
                            xs.add((double) s.step());
                            ys.add(y);
                        }
                    }
                    if (!xs.isEmpty()) {
                        java.awt.Color color = PALETTE[i % PALETTE.length];
                        var series = chart.addSeries(run.reward(), xs, ys);
                        series.setMarker(SeriesMarkers.CIRCLE);
                        series.setLineColor(color);
                        series.setMarkerColor(color);
                        series.setLineStyle(Charts.SOLID);
                        if (accuracy) {
                            // 95% Wilson interval over the held-out problems (one sample each), slightly offset
                            // per run so the bars of different rewards do not hide each other
                            for (int k = 0; k < xs.size(); k++) {
                                double[] w = Intervals.wilson(ys.get(k), plan.evalLimit());
                                double x = xs.get(k) + 0.12 * (i - (runs.size() - 1) / 2.0);
                                Charts.segment(chart, run.reward() + " interval " + k, x, w[0], x, w[1], color, false);
                            }
                        }
                        any = true;
                    }
                }
                if (any) {
                    image(html, chart);
                }
            }
        }
        if (!r.mix().isEmpty()) {
            html.append("<h2>Mixing base and instruct weights: (1 - alpha) base + alpha instruct</h2>");
            mixChart(html, r, "held-out accuracy", DemoResult.MixPoint::accuracy);
            mixChart(html, r, "token entropy", DemoResult.MixPoint::tokenEntropy);
            mixChart(html, r, "self-certainty", DemoResult.MixPoint::selfCertainty);
        }
        html.append("<p>Every number comes from <code>demo.json</code> beside this page; each run's own")
                .append(" <code>metrics.jsonl</code>, <code>report.html</code> and <code>config.yaml</code> are under")
                .append(" <code>runs/</code>, the scored rollouts under <code>score/</code> and <code>mix/</code>.</p>")
                .append("</body></html>\n");
        AtomicFiles.writeString(file, html.toString());
    }

    private static void mixChart(StringBuilder html, DemoResult r, String title,
            Function<DemoResult.MixPoint, Double> value) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (DemoResult.MixPoint p : r.mix()) {
            Double y = value.apply(p);
            if (y != null) {
                xs.add(p.alpha());
                ys.add(y);
            }
        }
        if (xs.isEmpty()) {
            return;
        }
        XYChart chart = chart(title + " vs alpha", "alpha (weight of instruct)", title);
        chart.getStyler().setLegendVisible(false);
        chart.addSeries(title, xs, ys).setMarker(SeriesMarkers.CIRCLE);
        image(html, chart);
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart chart = Charts.xy(title, x, y, 440, 340);
        // Below the plot, so it never hides a curve.
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        return chart;
    }

    private static void image(StringBuilder html, XYChart chart) {
        html.append(Charts.img(chart));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
