package rlif.kernels.bench;

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

    /** The table: one line per cell, with speed-up over scalar and the fraction of the same-threads read. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append("machine: ").append(machine).append('\n');
        b.append(String.format(Locale.ROOT, "%-14s %7s %7s %5s %14s %10s %8s%n",
                "backend", "threads", "vocab", "rows", "elements/s", "vs scalar", "of read"));
        for (BenchResult r : results) {
            double scalar = find("scalar", 1, r.vocab(), r.rows()).map(BenchResult::elementsPerSecond)
                    .orElse(Double.NaN);
            double read = find(BenchResult.READ_BASELINE, r.threads(), r.vocab(), r.rows())
                    .map(BenchResult::elementsPerSecond).orElse(Double.NaN);
            b.append(String.format(Locale.ROOT, "%-14s %7d %7d %5d %14.3e %9.1fx %7.0f%%%n",
                    r.backend(), r.threads(), r.vocab(), r.rows(), r.elementsPerSecond(),
                    r.elementsPerSecond() / scalar, 100 * r.elementsPerSecond() / read));
        }
        return b.toString();
    }

    /** The two targets of issue 4, each with the numbers it is judged on and PASS or MISS. */
    public List<String> targets(int allCores) {
        List<String> lines = new ArrayList<>();
        int vocab = 151936;
        for (int rows : KernelBench.ROWS) {
            double scalar = find("scalar", 1, vocab, rows).map(BenchResult::elementsPerSecond).orElse(Double.NaN);
            double vector = find("vector", 1, vocab, rows).map(BenchResult::elementsPerSecond).orElse(Double.NaN);
            double speedUp = vector / scalar;
            lines.add(String.format(Locale.ROOT, "target: vector 1 thread >= 8x scalar 1 thread, %d x %d: %.1fx %s",
                    rows, vocab, speedUp, speedUp >= 8 ? "PASS" : "MISS"));
        }
        double vector = find("vector", allCores, vocab, 64).map(BenchResult::elementsPerSecond).orElse(Double.NaN);
        double read = find(BenchResult.READ_BASELINE, allCores, vocab, 64).map(BenchResult::elementsPerSecond)
                .orElse(Double.NaN);
        double fraction = vector / read;
        lines.add(String.format(Locale.ROOT,
                "target: vector %d threads >= 50%% of read baseline %d threads, 64 x %d: %.0f%% %s",
                allCores, allCores, vocab, 100 * fraction, fraction >= 0.5 ? "PASS" : "MISS"));
        return lines;
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
