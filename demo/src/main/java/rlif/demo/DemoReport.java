package rlif.demo;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import rlif.evaluator.metrics.Interval;
import rlif.evaluator.report.Charts;
import rlif.models.io.AtomicFiles;

/**
 * {@code report.html} of {@code rlif demo}: the tables of {@link SummaryTable}, then for each starting model the
 * held-out curves of every arm (its seeds pooled) against the step, one chart per measurement, and the
 * measurements against the mixing weight alpha. Every point has an error bar of 1.96 standard errors over
 * held-out problems; an arm with a run that did not optimise its reward says so in its legend. Charts are PNGs
 * embedded in one self-contained page.
 */
public final class DemoReport {
    private DemoReport() {}

    /** One colour per arm, fixed so an arm's error bars match its line. */
    private static final Color[] PALETTE = {Charts.NEUTRAL, Charts.INCORRECT, Charts.CORRECT,
        new Color(0xEF, 0x6C, 0x00), Charts.GREY, new Color(0x6A, 0x1B, 0x9A)};

    /** A plotted held-out measurement: its title and how to read it. */
    private record Measure(String title, Function<HeldOut, Interval> value) {}

    private static final List<Measure> MEASURES = List.of(
            new Measure("held-out accuracy", HeldOut::accuracy),
            new Measure("token entropy", HeldOut::tokenEntropy),
            new Measure("transitional words per word", HeldOut::transitionalRate),
            new Measure("completions with a transitional word", HeldOut::checkShare),
            new Measure("self-certainty", HeldOut::selfCertainty),
            new Measure("completion length (tokens)", HeldOut::completionLength));

    public static void write(Path file, DemoResult r) {
        System.setProperty("java.awt.headless", "true");
        DemoPlan plan = r.plan();
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>rlif demo</title><style>")
                .append("body{font-family:sans-serif;margin:2em;max-width:1500px}img{margin:4px}")
                .append("pre{background:#f6f6f6;padding:1em;overflow-x:auto}.warn{color:#a00;font-weight:bold}")
                .append("</style></head><body>")
                .append("<h1>rlif demo: internal feedback versus verifiable rewards on a model organism</h1>");
        if (!plan.conclusive()) {
            html.append("<p class=\"warn\">").append(escape(plan.shortfall())).append(".</p>");
        }
        html.append("<p>Task <code>").append(escape(plan.task())).append("</code>; held-out set <code>")
                .append(escape(plan.heldOutSpec())).append("</code>, ").append(plan.heldOutSamples())
                .append(" samples per problem at temperature 1. GRPO: ").append(plan.steps()).append(" steps of ")
                .append(plan.promptsPerStep()).append(" problems x ").append(plan.groupSize())
                .append(" samples, full training, learning rate ").append(plan.learningRate()).append(", seeds ")
                .append(plan.seeds()).append(". The organism is built so that the paper's mechanism <em>can</em>")
                .append(" occur; whether it does is what these runs measure (docs/results.md).</p>")
                .append("<h2>Summary</h2><pre>").append(escape(SummaryTable.render(r))).append("</pre>");
        Map<String, List<DemoResult.Run>> arms = SummaryTable.arms(r);
        for (String model : r.runs().stream().map(DemoResult.Run::model).distinct().toList()) {
            html.append("<h2>Runs from ").append(escape(model)).append("</h2>");
            for (Measure m : MEASURES) {
                XYChart chart = chart(m.title() + " (" + model + ")", "step", m.title());
                if (m.title().contains("accuracy") || m.title().startsWith("completions with")) {
                    // a fixed 0..1 axis for shares: auto-zoom makes noise between evaluations look like collapse
                    Charts.unitYAxis(chart);
                }
                int colour = 0;
                for (Map.Entry<String, List<DemoResult.Run>> arm : arms.entrySet()) {
                    List<DemoResult.Run> runs = arm.getValue();
                    if (!runs.getFirst().model().equals(model)) {
                        continue;
                    }
                    List<Double> xs = new ArrayList<>();
                    List<Interval> ys = new ArrayList<>();
                    for (int i = 0; i < runs.getFirst().steps().size(); i++) {
                        int at = i;
                        xs.add((double) runs.getFirst().steps().get(i).step());
                        ys.add(m.value().apply(HeldOut.pool(runs.stream().map(x -> x.steps().get(at).heldOut()).toList())));
                    }
                    long failed = runs.stream().filter(x -> !x.gate().optimised()).count();
                    String label = runs.getFirst().arm().name() + (failed == 0 ? ""
                            : " (" + failed + "/" + runs.size() + " did not optimise its reward)");
                    addSeries(chart, label, xs, ys, PALETTE[colour++ % PALETTE.length]);
                }
                image(html, chart);
            }
        }
        if (!r.mix().isEmpty()) {
            html.append("<h2>Mixing base and instruct weights: (1 - alpha) base + alpha instruct</h2>");
            for (Measure m : MEASURES.subList(0, 4)) {
                XYChart chart = chart(m.title() + " vs alpha", "alpha (weight of instruct)", m.title());
                chart.getStyler().setLegendVisible(false);
                addSeries(chart, m.title(), r.mix().stream().map(DemoResult.MixPoint::alpha).toList(),
                        r.mix().stream().map(p -> m.value().apply(p.heldOut())).toList(), Charts.NEUTRAL);
                image(html, chart);
            }
        }
        html.append("<p>Every number comes from <code>demo.json</code> beside this page; each run's own")
                .append(" <code>metrics.jsonl</code>, <code>report.html</code> and <code>config.yaml</code> are under")
                .append(" <code>runs/</code>, the scored rollouts under <code>score/</code>, <code>mix/</code> and")
                .append(" each run's <code>held-out/</code>. Error bars: 1.96 standard errors over problems.</p>")
                .append("</body></html>\n");
        AtomicFiles.writeString(file, html.toString());
    }

    /** Points with 95% error bars drawn as segments in the line's colour; a point without a value is left out. */
    private static void addSeries(XYChart chart, String label, List<Double> xs, List<Interval> ys, Color color) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        List<Interval> kept = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            Interval v = ys.get(i);
            if (Double.isFinite(v.estimate())) {
                x.add(xs.get(i));
                y.add(v.estimate());
                kept.add(v);
            }
        }
        if (x.isEmpty()) {
            return;
        }
        XYSeries series = chart.addSeries(label, x, y);
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setLineColor(color);
        series.setMarkerColor(color);
        series.setLineStyle(Charts.SOLID);
        for (int k = 0; k < x.size(); k++) {
            Interval v = kept.get(k);
            if (Double.isFinite(v.stderr()) && v.stderr() > 0) {
                double half = Interval.Z95 * v.stderr();
                Charts.segment(chart, label + " interval " + k, x.get(k), v.estimate() - half, x.get(k),
                        v.estimate() + half, color, false);
            }
        }
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart chart = Charts.xy(title, x, y, 520, 380);
        // Below the plot, so it never hides a curve.
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Vertical);
        return chart;
    }

    private static void image(StringBuilder html, XYChart chart) {
        if (!chart.getSeriesCollection().isEmpty()) {
            html.append(Charts.img(chart));
        }
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
