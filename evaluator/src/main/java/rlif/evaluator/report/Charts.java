package rlif.evaluator.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The charts of rlif's HTML reports: one look (white plot, light grid, legend inside), embedded as base64
 * PNG so a report is one self-contained file, and axes whose tick labels survive any data range.
 *
 * <p>XChart places ticks on the raw values and labels them with a fixed pattern, which fails on a narrow
 * spread far from zero (a token entropy of 10.37030 +- 0.00002 got no labels at all) and prints small values
 * in scientific notation that the plot area clips ({@code 3.205E-3}). {@link Axis} plots such data relative
 * to a round origin near it and labels every tick with the real value, with as many decimals as the tick
 * spacing needs.
 */
public final class Charts {
    public static final Color CORRECT = new Color(0x2E, 0x7D, 0x32);
    public static final Color INCORRECT = new Color(0xC6, 0x28, 0x28);
    public static final Color NEUTRAL = new Color(0x15, 0x65, 0xC0);
    public static final Color GREY = new Color(0x75, 0x75, 0x75);
    /** A series' line; set explicitly, since XChart otherwise cycles dashed styles through the series. */
    public static final BasicStroke SOLID = new BasicStroke(1.6f);

    private Charts() {}

    /** An XY chart in the reports' style; {@code yTitle} may be empty. */
    public static XYChart xy(String title, String xTitle, String yTitle, int width, int height) {
        // Charts are drawn off-screen; without this AWT would look for a display.
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setLegendBorderColor(new Color(0xDD, 0xDD, 0xDD));
        chart.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        chart.getStyler().setPlotGridLinesColor(new Color(0xE6, 0xE6, 0xE6));
        chart.getStyler().setMarkerSize(5);
        // plain numbers (0.095, not .095); charts over a narrow spread far from zero use Axis instead
        chart.getStyler().setyAxisTickLabelsFormattingFunction(v -> Digits.of(v));
        return chart;
    }

    /** A y axis fixed to [0, 1] (shares, accuracies), so noise cannot pass for a trend. */
    public static void unitYAxis(XYChart chart) {
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setyAxisTickLabelsFormattingFunction(v -> Digits.fixed(v, 2));
    }

    /**
     * A line between two points, not in the legend: error bars (asymmetric intervals, which XChart's own
     * error bars cannot draw) and reference lines.
     */
    public static XYSeries segment(XYChart chart, String name, double x0, double y0, double x1, double y1, Color color,
            boolean dashed) {
        XYSeries s = chart.addSeries(name, new double[] {x0, x1}, new double[] {y0, y1});
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(dashed ? new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {4f, 4f}, 0f) : new BasicStroke(1.4f));
        s.setShowInLegend(false);
        return s;
    }

    /** {@code <img>} holding the chart as a base64 PNG. */
    public static String img(XYChart chart) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", bytes);
            String alt = chart.getTitle().replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
            return "<img alt=\"" + alt + "\" src=\"data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(bytes.toByteArray()) + "\">";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw chart " + chart.getTitle() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Where data on one axis is plotted: {@code plotted = value - origin}, with {@code origin} a multiple of
     * the tick spacing at or below the data, and labels that add the origin back.
     */
    public record Axis(double origin, double min, double max, int decimals) {
        /** For data in {@code [min, max]}; a single value gets a small range around it. */
        public static Axis of(double min, double max) {
            if (!(min <= max) || !Double.isFinite(min) || !Double.isFinite(max)) {
                min = 0;
                max = 1;
            }
            double span = max - min;
            if (span <= Math.max(Math.abs(min), Math.abs(max)) * 1e-12) {
                double pad = Math.max(Math.abs(min) * 0.01, 1e-3);
                min -= pad;
                max += pad;
                span = max - min;
            }
            double step = niceStep(span / 5);
            double origin = Math.floor(min / step) * step;
            // one decimal more than the step needs covers XChart choosing a 2.5x spacing
            int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step)) + 1);
            return new Axis(origin, min, max, decimals);
        }

        public double plot(double value) {
            return value - origin;
        }

        /** Tick labels of the real values; {@code extraDecimals} beyond what the spacing needs. */
        public Function<Double, String> labels(int extraDecimals) {
            return v -> Digits.fixed(origin + v, decimals + extraDecimals);
        }

        /** Labels the chart's y axis with this axis's real values (the data must be {@link #plot}ted). */
        public void applyToY(XYChart chart) {
            chart.getStyler().setyAxisTickLabelsFormattingFunction(labels(0));
        }

        /** Applies this axis to the chart's x axis: its range, and labels of the real values. */
        public void applyToX(XYChart chart) {
            chart.getStyler().setXAxisMin(plot(min));
            chart.getStyler().setXAxisMax(plot(max));
            chart.getStyler().setxAxisTickLabelsFormattingFunction(labels(0));
        }

        /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
        static double niceStep(double raw) {
            double power = Math.pow(10, Math.floor(Math.log10(raw)));
            for (double m : new double[] {1, 2, 5, 10}) {
                if (m * power >= raw) {
                    return m * power;
                }
            }
            return 10 * power;
        }
    }
}
