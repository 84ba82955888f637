package rlif.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import rlif.models.io.AtomicFiles;

/**
 * {@code report.html} of {@code rlif demo}: the tables of {@link SummaryTable}, the held-out curves of every
 * run against the step (one chart per metric and starting model, one line per reward), and accuracy and
 * entropy against the mixing weight alpha; charts are PNGs embedded in one self-contained page.
 */
public final class DemoReport {
    private DemoReport() {}

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
                boolean any = false;
                for (DemoResult.Run run : runs) {
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
                        chart.addSeries(run.reward(), xs, ys).setMarker(SeriesMarkers.CIRCLE);
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
        XYChart chart = new XYChartBuilder().width(440).height(340).title(title).xAxisTitle(x).yAxisTitle(y).build();
        // Below the plot, so it never hides a curve.
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        return chart;
    }

    private static void image(StringBuilder html, XYChart chart) {
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", bytes);
            byte[] png = bytes.toByteArray();
            html.append(String.format(Locale.ROOT, "<img alt=\"%s\" src=\"data:image/png;base64,", escape(chart.getTitle())))
                    .append(Base64.getEncoder().encodeToString(png)).append("\">");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render chart " + chart.getTitle(), e);
        }
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
