package rlif.bench.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
    private static final List<BenchResult> RESULTS = List.of(
            new BenchResult(BenchResult.READ_BASELINE, 2, 151936, 64, 4.0e9, 8.0e9),
            new BenchResult(BenchResult.READ_BASELINE, 1, 151936, 64, 2.5e9, 5.0e9),
            new BenchResult("scalar", 1, 151936, 64, 1.0e8, 1.0e8),
            new BenchResult("vector", 1, 151936, 64, 9.0e8, 2.0e9),
            new BenchResult("vector", 2, 151936, 64, 1.8e9, 4.8e9));

    @Test
    void jsonHasExactlyTheDesignSection9Fields() {
        String json = new BenchReport("CPU \"x\", 2 cores", RESULTS).json();
        assertThat(json).startsWith("{\"machine\": \"CPU \\\"x\\\", 2 cores\", \"results\": [");
        assertThat(json).contains("{\"backend\": \"read-baseline\", \"threads\": 2, \"vocab\": 151936, \"rows\": 64, "
                + "\"elements_per_second\": 4.000000e+09}");
        assertThat(json).contains("{\"backend\": \"vector\", \"threads\": 1, \"vocab\": 151936, \"rows\": 64, "
                + "\"elements_per_second\": 9.000000e+08}");
        assertThat(json.trim()).endsWith("]}");
    }

    @Test
    void tableComparesWithScalarAndTheSameThreadsReadBaseline() {
        String table = new BenchReport("m", RESULTS).table();
        // vector on 2 threads: 18x scalar, 45% of the 2-thread read by the wall clock; 48x and 60% per CPU-second.
        assertThat(table).containsPattern(
                "vector +2 +151936 +64 \\| +1\\.800e\\+09 +18\\.0x +45% \\| +4\\.800e\\+09 +48\\.0x +60%");
        assertThat(table).containsPattern(
                "vector +1 +151936 +64 \\| +9\\.000e\\+08 +9\\.0x +36% \\| +2\\.000e\\+09 +20\\.0x +40%");
    }

    @Test
    void targetsSayPassOrMissWithTheirNumbers() {
        List<String> lines = new BenchReport("m", RESULTS).targets(2);
        assertThat(lines).contains(
                "target: vector 1 thread >= 8x scalar 1 thread, 64 x 151936: wall 9.0x PASS cpu 20.0x PASS",
                "target: vector 2 threads >= 50% of read baseline 2 threads, 64 x 151936: wall 45% MISS cpu 60% PASS");
    }

    /** A cell whose threads got no measurable CPU time says n/a, never Infinity or NaN%. */
    @Test
    void aClockThatMeasuredNothingPrintsNotApplicable() {
        List<BenchResult> results = List.of(
                new BenchResult(BenchResult.READ_BASELINE, 2, 151936, 64, 4.0e9, Double.NaN),
                new BenchResult(BenchResult.READ_BASELINE, 1, 151936, 64, 2.5e9, 5.0e9),
                new BenchResult("scalar", 1, 151936, 64, 1.0e8, 1.0e8),
                new BenchResult("vector", 1, 151936, 64, 9.0e8, 2.0e9),
                new BenchResult("vector", 2, 151936, 64, 1.8e9, Double.NaN));
        BenchReport report = new BenchReport("m", results);
        assertThat(report.table()).doesNotContain("Infinity").doesNotContain("NaN")
                .containsPattern("vector +2 +151936 +64 \\| +1\\.800e\\+09 +18\\.0x +45% \\| +n/a +n/a +n/a");
        assertThat(report.targets(2)).contains(
                "target: vector 2 threads >= 50% of read baseline 2 threads, 64 x 151936: wall 45% MISS cpu n/a");
    }
}
