package rlif.models.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Tokens drawn inside the graph ({@link TokenDraw} fed by {@link RowRandom}) against exact probabilities computed here
 * in double: softmax at the temperature, then top-k, then the top-p nucleus (smallest best-first prefix whose
 * renormalised mass reaches p), ranking by logit then lower id. 20,000 draws (100 rows with their own seeds, 200 steps
 * each); a frequency has standard deviation sqrt(p(1-p)/N) and every check allows 5 of them, so a correct sampler fails
 * a check with probability below 1e-6 (and the seeds are fixed).
 */
class TokenDrawTest {
    private static final int VOCAB = 2500;
    private static final int ROWS = 100;
    private static final int STEPS = 200;
    private static final int[] STRONG = {7, 1500, 2400, 1030};

    /** A few strong tokens spread over the vocabulary, the rest a weak tail that still holds mass. */
    private static double[] logits() {
        Random r = new Random(3);
        double[] z = new double[VOCAB];
        for (int j = 0; j < VOCAB; j++) {
            z[j] = (float) (r.nextDouble() - 0.5);
        }
        z[7] = 6.0;
        z[1500] = 5.5;
        z[2400] = 5.0;
        z[1030] = 4.0;
        return z;
    }

    @Test
    void wholeDistributionAtTemperatureOneAndTwoAndAHalf() throws Exception {
        check(logits(), 1.0, 0, 1.0);
        check(logits(), 2.5, 0, 1.0);
    }

    @Test
    void topKKeepsTheKBestRenormalised() throws Exception {
        check(logits(), 1.0, 3, 1.0);
    }

    @Test
    void topPKeepsTheSmallestNucleusWithEnoughMass() throws Exception {
        check(logits(), 1.0, VOCAB, 0.6);
        check(logits(), 1.7, VOCAB, 0.97);
    }

    @Test
    void topKThenTopP() throws Exception {
        check(logits(), 1.0, 50, 0.9);
    }

    @Test
    void oneCandidateIsTheFirstMaximum() throws Exception {
        double[] z = logits();
        z[2400] = z[7]; // a tie for the maximum: the lower id wins, as the step engine's argmax
        try (SamplerGraph g = new SamplerGraph(VOCAB)) {
            SamplerGraph.Draws d = g.run(rows(z), 1.0, 1, 1.0, 3, seeds());
            for (long[] step : d.tokens()) {
                assertThat(step).containsOnly(7L);
            }
        }
    }

    private static void check(double[] z, double t, long topK, double topP) throws Exception {
        double[] want = ExactDistribution.of(z, t, (int) topK, topP);
        int[] counts = new int[VOCAB];
        try (SamplerGraph g = new SamplerGraph(VOCAB)) {
            SamplerGraph.Draws d = g.run(rows(z), t, topK, topP, STEPS, seeds());
            for (long[] step : d.tokens()) {
                for (long token : step) {
                    counts[(int) token]++;
                }
            }
        }
        String setting = "T=" + t + " top_k=" + topK + " top_p=" + topP;
        for (int j : STRONG) {
            assertClose(counts[j], want[j], setting + ", token " + j);
        }
        for (int b = 0; b < VOCAB; b += 500) {
            int c = 0;
            double p = 0;
            for (int j = b; j < b + 500; j++) {
                int id = j;
                if (Arrays.stream(STRONG).noneMatch(s -> s == id)) {
                    c += counts[j];
                    p += want[j];
                }
            }
            assertClose(c, p, setting + ", tail ids " + b + ".." + (b + 499));
        }
        for (int j = 0; j < VOCAB; j++) {
            if (want[j] == 0) {
                assertThat(counts[j]).as("%s: token %d is outside the truncation", setting, j).isZero();
            }
        }
    }

    private static void assertClose(int count, double p, String what) {
        assertThat(ExactDistribution.withinFiveSigma(count, ROWS * STEPS, p))
                .as("%s: %d of %d draws, p = %s", what, count, ROWS * STEPS, p).isTrue();
    }

    private static double[][] rows(double[] z) {
        double[][] out = new double[ROWS][];
        Arrays.fill(out, z);
        return out;
    }

    private static long[] seeds() {
        return IntStream.range(0, ROWS).mapToLong(i -> 1000L + i).toArray();
    }
}
