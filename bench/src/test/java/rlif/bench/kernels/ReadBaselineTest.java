package rlif.bench.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadBaselineTest {
    @Test
    void sumsEveryElementOnOneAndManyThreads() {
        // Small integers sum exactly in float lanes, so any skipped or doubled element shows.
        float[] data = new float[100_003];
        long expected = 0;
        for (int i = 0; i < data.length; i++) {
            data[i] = i % 7;
            expected += i % 7;
        }
        try (ReadBaseline one = new ReadBaseline(1); ReadBaseline three = new ReadBaseline(3)) {
            assertThat(one.sum(data, data.length)).isEqualTo(expected);
            assertThat(three.sum(data, data.length)).isEqualTo(expected);
            assertThat(three.sum(data, 5)).isEqualTo(0 + 1 + 2 + 3 + 4);
        }
    }
}
