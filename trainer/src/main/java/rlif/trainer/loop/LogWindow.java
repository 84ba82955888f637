package rlif.trainer.loop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import rlif.trainer.metrics.MetricsLog;

/**
 * The training steps since the last metrics row ({@code logging_steps}): their row is the mean of each numeric
 * metric over the steps that have it, as TRL logs, except for values that are a state rather than a
 * per-step amount ({@code learning_rate}, the cumulative {@code num_tokens}, the process's peak memory so far),
 * which take the last step's, and
 * {@code skipped_steps}, which counts.
 */
final class LogWindow {
    private static final Set<String> LAST = Set.of("learning_rate", "num_tokens", "iteration", MetricsLog.PEAK_RSS);
    private final List<Map<String, Object>> steps = new ArrayList<>();

    void add(Map<String, Object> step) {
        steps.add(step);
    }

    boolean isEmpty() {
        return steps.isEmpty();
    }

    /** The window's row, labelled with {@code step}; the window is emptied. */
    Map<String, Object> flush(long step) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("step", step);
        if (steps.size() == 1) {
            // one step: its own values, integers staying integers
            row.putAll(steps.getFirst());
            if (row.containsKey("skipped")) {
                row.put("skipped_steps", 1);
            }
            steps.clear();
            return row;
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        int skipped = 0;
        for (Map<String, Object> s : steps) {
            for (Map.Entry<String, Object> e : s.entrySet()) {
                Object v = e.getValue();
                if (v instanceof Number n && !LAST.contains(e.getKey())) {
                    double[] acc = sums.computeIfAbsent(e.getKey(), k -> new double[2]);
                    acc[0] += n.doubleValue();
                    acc[1]++;
                    row.putIfAbsent(e.getKey(), null);
                } else {
                    row.put(e.getKey(), v);
                }
            }
            skipped += s.containsKey("skipped") ? 1 : 0;
        }
        sums.forEach((k, acc) -> row.put(k, acc[0] / acc[1]));
        if (skipped > 0) {
            row.put("skipped_steps", skipped);
        }
        steps.clear();
        return row;
    }
}
