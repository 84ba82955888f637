package rlif.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import rlif.evaluator.grading.Grade;

class MetricsTest {
    /** Exact tolerance: both sides are a handful of double operations on small integers. */
    private static final double EXACT = 1e-12;

    @Test
    void passAtKMatchesEnumeratingEverySubsetOfSamples() {
        for (int n = 1; n <= 8; n++) {
            for (int c = 0; c <= n; c++) {
                for (int k = 1; k <= n; k++) {
                    assertThat(PassAtK.estimate(n, c, k)).as("n=%d c=%d k=%d", n, c, k)
                            .isCloseTo(bruteForcePassAtK(n, c, k), within(EXACT));
                }
            }
        }
    }

    /** Fraction of the k-subsets of n samples (the first c correct) that contain a correct one. */
    private static double bruteForcePassAtK(int n, int c, int k) {
        int hit = 0;
        int total = 0;
        for (int mask = 0; mask < 1 << n; mask++) {
            if (Integer.bitCount(mask) == k) {
                total++;
                if ((mask & ((1 << c) - 1)) != 0) {
                    hit++;
                }
            }
        }
        return (double) hit / total;
    }

    @Test
    void passAtKHandValues() {
        assertThat(PassAtK.estimate(4, 1, 1)).isCloseTo(0.25, within(EXACT));
        assertThat(PassAtK.estimate(4, 1, 2)).isCloseTo(0.5, within(EXACT));
        assertThat(PassAtK.estimate(4, 2, 2)).isCloseTo(5.0 / 6, within(EXACT));
        assertThat(PassAtK.estimate(200, 0, 100)).isZero();
        assertThat(PassAtK.estimate(200, 101, 100)).isEqualTo(1.0);
    }

    @Test
    void aurocMatchesCountingEveryPositiveNegativePair() {
        Random random = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int n = 2 + random.nextInt(30);
            double[] s = new double[n];
            boolean[] y = new boolean[n];
            for (int i = 0; i < n; i++) {
                s[i] = random.nextInt(6); // few distinct values, so ties are common
                y[i] = random.nextBoolean();
            }
            double pairs = 0;
            double wins = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (y[i] && !y[j]) {
                        pairs++;
                        wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                    }
                }
            }
            double expected = pairs == 0 ? Double.NaN : wins / pairs;
            assertThat(Auroc.of(s, y)).isCloseTo(expected, within(EXACT));
        }
    }

    @Test
    void aurocHandValues() {
        assertThat(Auroc.of(new double[] {0.1, 0.4, 0.35, 0.8}, new boolean[] {false, false, true, true}))
                .isCloseTo(0.75, within(EXACT));
        assertThat(Auroc.of(new double[] {1, 1}, new boolean[] {true, false})).isEqualTo(0.5);
        assertThat(Auroc.of(new double[] {1, 2}, new boolean[] {true, true})).isNaN();
        assertThat(Auroc.of(new double[] {Double.NaN, 1, 2}, new boolean[] {true, false, true})).isEqualTo(1.0);
    }

    @Test
    void statsGiveMeanAndSampleDeviation() {
        Stats s = new Stats();
        for (double x : new double[] {2, 4, 4, 4, 5, 5, 7, 9, Double.NaN}) {
            s.add(x);
        }
        assertThat(s.count()).isEqualTo(8);
        assertThat(s.mean()).isCloseTo(5.0, within(EXACT));
        assertThat(s.std()).isCloseTo(Math.sqrt(32.0 / 7), within(EXACT));
        assertThat(new Stats().mean()).isNaN();
    }

    @Test
    void majorityVoteTakesTheMostFrequentNormalisedAnswerAndBreaksTiesByFirstSeen() {
        List<Grade> g = new ArrayList<>();
        g.add(new Grade("7", false));
        g.add(new Grade("1,000", true));
        g.add(new Grade(null, false));
        g.add(new Grade("1000", true));
        assertThat(MajorityVote.isCorrect(g)).isTrue();
        assertThat(MajorityVote.isCorrect(List.of(new Grade("7", false), new Grade("8", true)))).isFalse();
        assertThat(MajorityVote.isCorrect(List.of(new Grade("8", true), new Grade("7", false)))).isTrue();
        assertThat(MajorityVote.isCorrect(List.of(new Grade(null, false)))).isFalse();
    }
}
