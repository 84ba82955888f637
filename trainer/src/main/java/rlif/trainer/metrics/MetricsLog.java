package rlif.trainer.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.models.io.AtomicFiles;

/**
 * {@code metrics.jsonl}: one JSON object per training step (and per evaluation, with {@code "eval": true}),
 * appended and flushed as each finishes. On resume the file is cut back to the rows of the checkpoint
 * being resumed (a torn last line from a crash is dropped with them), so the resumed run's file equals
 * an uninterrupted run's.
 */
public final class MetricsLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Map<String, Object>> rows = new ArrayList<>();
    private final BufferedWriter out;

    private MetricsLog(Path file, List<Map<String, Object>> kept) throws IOException {
        rows.addAll(kept);
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> r : kept) {
            sb.append(JSON.writeValueAsString(r)).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /**
     * Whether a row of {@code metrics.jsonl} is a training step: not a held-out evaluation ({@code "eval": true})
     * and not the closing reward-trend gate ({@code "gate": true}).
     */
    public static boolean isTrainingStep(Map<String, Object> row) {
        return !Boolean.TRUE.equals(row.get("eval")) && !Boolean.TRUE.equals(row.get("gate"));
    }

    /** The metric giving the process's peak resident memory so far, in MiB (Linux {@code VmHWM}). */
    public static final String PEAK_RSS = "memory/peak_rss_mb";

    /**
     * Whether a metric measures the machine rather than the training (wall-clock {@code seconds_*}, resident
     * {@code memory/*}): two runs of the same settings differ there and nowhere else.
     */
    public static boolean isMachineMeasurement(String key) {
        return key.startsWith("seconds_") || key.startsWith("memory/");
    }

    /** Starts a fresh log (any existing file is replaced). */
    public static MetricsLog create(Path file) {
        try {
            return new MetricsLog(file, List.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Reopens a log keeping only rows whose {@code step} is at most {@code lastStep}. */
    public static MetricsLog resume(Path file, long lastStep) {
        List<Map<String, Object>> kept = new ArrayList<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    JsonNode n;
                    try {
                        n = JSON.readTree(line);
                    } catch (IOException torn) {
                        continue; // a line cut by a crash belongs to a step that will be redone
                    }
                    if (n != null && n.has("step") && n.get("step").asLong() <= lastStep) {
                        kept.add(toMap(n));
                    }
                }
            }
            return new MetricsLog(file, kept);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume " + file, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> toMap(JsonNode n) {
        return JSON.convertValue(n, LinkedHashMap.class);
    }

    /** Appends one row and flushes it. */
    public void append(Map<String, Object> row) {
        try {
            out.write(JSON.writeValueAsString(row));
            out.write('\n');
            out.flush();
            rows.add(new LinkedHashMap<>(row));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to metrics.jsonl", e);
        }
    }

    /** Every row so far, in order (for the report). */
    public List<Map<String, Object>> rows() {
        return List.copyOf(rows);
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
