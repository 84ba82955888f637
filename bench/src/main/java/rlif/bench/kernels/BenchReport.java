package rlif.bench.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The one table, the target check and the JSON (DESIGN section 9) of a kernel bench run. */
public final class BenchReport {
    private final String machine;
    private final List<BenchResult> results;

    public BenchReport(String machine, List<BenchResult> results) {
        this.machine = machine;
        this.results = List.copyOf(results);
    }

    /** CPU model, core count and JVM, from /proc/cpuinfo where it exists. */
    public static String describeMachine() {
        String model = System.getProperty("os.arch");
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: the architecture name will do.
        }
        return model + ", " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + Runtime.version().feature() + ", " + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize()
                + "-bit vectors";
    }

    private Optional<BenchResult> find(String backend, int threads, int vocab, int rows) {
        return results.stream()
                .filter(r -> r.backend().equals(backend) && r.threads() == threads && r.vocab() == vocab
                        && r.rows() == rows)
                .findFirst();
    }

    /** Which of a result's two rates to compare. */
    public enum Clock {
        WALL(BenchResult::elementsPerSecond),
        CPU(BenchResult::elementsPerCpuSecond);

        final java.util.function.ToDoubleFunction<BenchResult> rate;

        Clock(java.util.function.ToDoubleFunction<BenchResult> rate) {
            this.rate = rate;
        }
    }

    private double rate(Clock clock, String backend, int threads, int vocab, int rows) {
        return find(backend, threads, vocab, rows).map(clock.rate::applyAsDouble).orElse(Double.NaN);
    }

    /**
     * The table: one line per cell; for each clock the rate, the speed-up over scalar and the fraction of the
     * read baseline on the same threads.
     */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append("machine: ").append(machine).append('\n');
        b.append(String.format(Locale.ROOT, "%-14s %7s %7s %5s | %11s %9s %7s | %11s %9s %7s%n",
                "", "", "", "", "wall clock", "", "", "per CPU-second of each thread", "", ""));
        b.append(String.format(Locale.ROOT, "%-14s %7s %7s %5s | %11s %9s %7s | %11s %9s %7s%n",
                "backend", "threads", "vocab", "rows",
                "elements/s", "vs scalar", "of read", "elements/s", "vs scalar", "of read"));
        for (BenchResult r : results) {
            b.append(String.format(Locale.ROOT, "%-14s %7d %7d %5d", r.backend(), r.threads(), r.vocab(), r.rows()));
            for (Clock clock : Clock.values()) {
                double own = clock.rate.applyAsDouble(r);
                double scalar = rate(clock, "scalar", 1, r.vocab(), r.rows());
                double read = rate(clock, BenchResult.READ_BASELINE, r.threads(), r.vocab(), r.rows());
                b.append(" | ").append(cell("%11.3e", own, 11)).append(' ').append(cell("%8.1fx", own / scalar, 9))
                        .append(' ').append(cell("%6.0f%%", 100 * own / read, 7));
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** The two targets of issue 4, each with the numbers it is judged on (both clocks) and PASS or MISS. */
    public List<String> targets(int allCores) {
        List<String> lines = new ArrayList<>();
        int vocab = 151936;
        for (int rows : KernelBench.ROWS) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                    "target: vector 1 thread >= 8x scalar 1 thread, %d x %d:", rows, vocab));
            for (Clock clock : Clock.values()) {
                double speedUp = rate(clock, "vector", 1, vocab, rows) / rate(clock, "scalar", 1, vocab, rows);
                line.append(' ').append(judged(clock, String.format(Locale.ROOT, "%.1fx", speedUp), speedUp, 8));
            }
            lines.add(line.toString());
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "target: vector %d threads >= 50%% of read baseline %d threads, 64 x %d:", allCores, allCores, vocab));
        for (Clock clock : Clock.values()) {
            double fraction = rate(clock, "vector", allCores, vocab, 64)
                    / rate(clock, BenchResult.READ_BASELINE, allCores, vocab, 64);
            line.append(' ').append(judged(clock, String.format(Locale.ROOT, "%.0f%%", 100 * fraction), fraction, 0.5));
        }
        lines.add(line.toString());
        return lines;
    }

    /** A number in a column of {@code width}, or n/a where a clock measured nothing (NaN, infinite). */
    private static String cell(String format, double v, int width) {
        String text = Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "n/a";
        return " ".repeat(Math.max(0, width - text.length())) + text;
    }

    /** "wall 9.0x PASS", or "cpu n/a" when that clock measured nothing. */
    private static String judged(Clock clock, String shown, double value, double target) {
        String name = clock.name().toLowerCase(Locale.ROOT);
        return Double.isFinite(value) ? name + " " + shown + " " + (value >= target ? "PASS" : "MISS") : name + " n/a";
    }

    /** {"machine": ..., "results": [{"backend", "threads", "vocab", "rows", "elements_per_second"}, ...]} */
    public String json() {
        StringBuilder b = new StringBuilder();
        b.append("{\"machine\": ").append(quote(machine)).append(", \"results\": [");
        for (int i = 0; i < results.size(); i++) {
            BenchResult r = results.get(i);
            b.append(i == 0 ? "\n  " : ",\n  ");
            b.append(String.format(Locale.ROOT,
                    "{\"backend\": %s, \"threads\": %d, \"vocab\": %d, \"rows\": %d, \"elements_per_second\": %.6e}",
                    quote(r.backend()), r.threads(), r.vocab(), r.rows(), r.elementsPerSecond()));
        }
        b.append("\n]}\n");
        return b.toString();
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
