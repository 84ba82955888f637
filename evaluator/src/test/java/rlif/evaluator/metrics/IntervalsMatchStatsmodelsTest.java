package rlif.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The clustered standard error and Wilson interval of a share against statsmodels (golden values written by
 * {@code tools/intervals_check.py}: OLS with cluster-robust covariance by problem, and
 * {@code proportion_confint(method="wilson")} at the same effective sample size).
 */
class IntervalsMatchStatsmodelsTest {
    /** Both sides compute the same sums in double; 1e-12 leaves room for their different order. */
    private static final double CLOSE = 1e-12;

    @Test
    void clusteredStandardErrorsAndWilsonIntervalsEqualStatsmodels() throws Exception {
        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("/intervals/statsmodels.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        assertThat(golden.get("cases")).hasSizeGreaterThanOrEqualTo(4);
        for (JsonNode c : golden.get("cases")) {
            double[] s = new double[c.get("successes").size()];
            double[] t = new double[s.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = c.get("successes").get(i).asDouble();
                t[i] = c.get("trials").get(i).asDouble();
            }
            Interval a = Intervals.proportion(s, t);
            String name = c.get("name").asText();
            assertThat(a.estimate()).as(name).isCloseTo(c.get("estimate").asDouble(), within(CLOSE));
            assertThat(a.stderr()).as(name).isCloseTo(c.get("stderr").asDouble(), within(CLOSE));
            assertThat(a.low()).as(name).isCloseTo(c.get("low").asDouble(), within(1e-10));
            assertThat(a.high()).as(name).isCloseTo(c.get("high").asDouble(), within(1e-10));
        }
    }
}
