package rlif.cli;

import java.nio.file.Path;
import rlif.evaluator.data.JsonlSource;
import rlif.evaluator.data.ProblemSource;

/**
 * Child-JVM entry point for the streaming test: reads every row of a JSONL data set through {@link JsonlSource}
 * and prints the count and the peak heap use, so a small {@code -Xmx} proves the reader keeps no rows.
 */
final class JsonlRowCounter {
    private JsonlRowCounter() {}

    public static void main(String[] args) throws Exception {
        long rows = 0;
        long chars = 0;
        try (ProblemSource.Problems it = new JsonlSource(Path.of(args[0])).open()) {
            while (it.hasNext()) {
                chars += it.next().promptText().length();
                rows++;
            }
        }
        long peak = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println("rows " + rows + " chars " + chars + " peak_heap_bytes " + peak);
    }
}
