package rlif.models.generation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The in-graph random stream is L'Ecuyer's generator bit for bit, and looks uniform. */
class RowRandomTest {
    @Test
    void graphStreamIsTheJavaGeneratorBitForBit() throws Exception {
        long[] seeds = {0, 1, 42, -7, Long.MAX_VALUE, Long.MIN_VALUE, 20261128L, 3};
        int steps = 300;
        double[][] logits = new double[seeds.length][4];
        try (SamplerGraph graph = new SamplerGraph(4)) {
            SamplerGraph.Draws d = graph.run(logits, 1.0, 0, 1.0, steps, seeds);
            for (int r = 0; r < seeds.length; r++) {
                long[] state = RowRandom.initialState(seeds[r]);
                for (int t = 0; t < steps; t++) {
                    assertThat(d.us()[t][r]).as("seed %d step %d", seeds[r], t).isEqualTo(RowRandom.next(state));
                }
            }
        }
    }

    /** 10^6 draws: inside (0, 1), mean 1/2 and variance 1/12 within 5 standard errors, and seeds give other streams. */
    @Test
    void javaStreamIsUniformOnTheOpenInterval() {
        long[] state = RowRandom.initialState(5);
        int n = 1_000_000;
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            double u = RowRandom.next(state);
            assertThat(u).isStrictlyBetween(0.0, 1.0);
            sum += u;
            sumSq += (u - 0.5) * (u - 0.5);
        }
        assertThat(sum / n).isCloseTo(0.5, org.assertj.core.api.Assertions.within(5 * Math.sqrt(1.0 / 12 / n)));
        // Var((u - 1/2)^2) = 1/80 - 1/144 for a uniform u.
        assertThat(sumSq / n).isCloseTo(1.0 / 12, org.assertj.core.api.Assertions.within(5 * Math.sqrt((1.0 / 80 - 1.0 / 144) / n)));
        assertThat(RowRandom.next(RowRandom.initialState(1))).isNotEqualTo(RowRandom.next(RowRandom.initialState(2)));
    }
}
