package rlif.trainer.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import rlif.models.io.AtomicFiles;

/**
 * {@code report.html} of a training run: one curve per metric against the step, training rows and
 * held-out evaluation rows separately, as PNGs embedded in one self-contained page.
 */
public final class TrainingReport {
    private TrainingReport() {}

    /** Metrics plotted from training rows, in page order. */
    static final List<String> TRAIN_CURVES = List.of("loss", "reward", "reward_std", "accuracy", "token_entropy",
            "self_certainty", "trajectory_entropy", "entropy", "kl", "grad_norm", "completions/mean_length",
            "clip_ratio/region_mean", "frac_reward_zero_std", "distinct_3gram_ratio", "completions/clipped_ratio",
            "transitional_rate", "learning_rate");
    /** Metrics plotted from evaluation rows. */
    static final List<String> EVAL_CURVES = List.of("eval_loss", "accuracy", "token_entropy", "self_certainty",
            "trajectory_entropy", "completions/mean_length", "distinct_3gram_ratio", "transitional_rate");

    public static void write(Path file, String title, List<Map<String, Object>> rows) {
        System.setProperty("java.awt.headless", "true");
        List<Map<String, Object>> train = rows.stream().filter(r -> !Boolean.TRUE.equals(r.get("eval"))).toList();
        List<Map<String, Object>> eval = rows.stream().filter(r -> Boolean.TRUE.equals(r.get("eval"))).toList();
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title><style>body{font-family:sans-serif;margin:2em}img{margin:4px}</style></head><body>")
                .append("<h1>").append(escape(title)).append("</h1>");
        section(html, "Held-out evaluation", eval, EVAL_CURVES);
        section(html, "Training steps", train, TRAIN_CURVES);
        html.append("</body></html>\n");
        AtomicFiles.writeString(file, html.toString());
    }

    private static void section(StringBuilder html, String heading, List<Map<String, Object>> rows, List<String> keys) {
        if (rows.isEmpty()) {
            return;
        }
        html.append("<h2>").append(heading).append("</h2>");
        for (String key : keys) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (Map<String, Object> r : rows) {
                if (r.get(key) instanceof Number y && r.get("step") instanceof Number x && Double.isFinite(y.doubleValue())) {
                    xs.add(x.doubleValue());
                    ys.add(y.doubleValue());
                }
            }
            if (xs.isEmpty()) {
                continue;
            }
            XYChart chart = new XYChartBuilder().width(420).height(280).title(key).xAxisTitle("step").build();
            chart.getStyler().setLegendVisible(false);
            chart.addSeries(key, xs, ys);
            try {
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                javax.imageio.ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", bytes);
                byte[] png = bytes.toByteArray();
                html.append("<img alt=\"").append(key).append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(png)).append("\">");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot render chart " + key, e);
            }
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
