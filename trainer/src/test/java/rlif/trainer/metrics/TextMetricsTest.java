package rlif.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TextMetricsTest {
    @Test
    void distinctNgramRatioDropsWhenTokensRepeat() {
        assertThat(TextMetrics.distinctNgramRatio(new int[] {1, 2, 3, 4}, 2)).isEqualTo(1.0);
        // 1 2 1 2 1 2: bigrams (1,2) x3 and (2,1) x2 -> 2 distinct of 5
        assertThat(TextMetrics.distinctNgramRatio(new int[] {1, 2, 1, 2, 1, 2}, 2)).isCloseTo(0.4, within(1e-12));
        assertThat(TextMetrics.distinctNgramRatio(new int[] {7}, 3)).isEqualTo(1.0);
    }

    @Test
    void transitionalRateCountsWholeWordsAndPhrases() {
        assertThat(TextMetrics.transitionalRate("Wait, but let me check: 2+2=4")).isCloseTo(3.0 / 6, within(1e-12));
        assertThat(TextMetrics.transitionalRate("butter waits")).isZero();
        assertThat(TextMetrics.transitionalRate("")).isZero();
    }
}
