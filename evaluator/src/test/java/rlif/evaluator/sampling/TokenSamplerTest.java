package rlif.evaluator.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import rlif.kernels.LogitRows;

/**
 * Empirical frequencies of the sampler against exact probabilities computed here in double. With N
 * draws a frequency has standard deviation sqrt(p(1-p)/N); every check allows 5 of them, so a correct
 * sampler fails with probability below 1e-5 per check, and the seeds are fixed anyway.
 */
class TokenSamplerTest {
    private static final int VOCAB = 2500; // more than two of the sampler's 1024-entry blocks
    private static final int DRAWS = 20_000;

    /** A few strong tokens spread over different blocks, the rest a weak tail that still holds mass. */
    private static float[] logits() {
        float[] z = new float[VOCAB];
        SplittableRandom r = new SplittableRandom(3);
        for (int j = 0; j < VOCAB; j++) {
            z[j] = (float) (r.nextDouble() - 0.5);
        }
        z[7] = 6.0f;
        z[1500] = 5.5f;
        z[2400] = 5.0f;
        z[1030] = 4.0f;
        return z;
    }

    private static double logsumexp(float[] z, double invT) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v * invT);
        }
        double s = 0;
        for (float v : z) {
            s += Math.exp(v * invT - max);
        }
        return max + Math.log(s);
    }

    /** Exact probabilities after temperature, top-k and top-p, ranking ties by lower id. */
    private static double[] expected(float[] z, double t, int topK, double topP) {
        double invT = 1 / t;
        double lse = logsumexp(z, invT);
        double[] p = new double[z.length];
        for (int j = 0; j < z.length; j++) {
            p[j] = Math.exp(z[j] * invT - lse);
        }
        List<Integer> order = new ArrayList<>();
        for (int j = 0; j < z.length; j++) {
            order.add(j);
        }
        order.sort(Comparator.<Integer>comparingDouble(j -> -z[j]).thenComparingInt(j -> j));
        int keep = topK > 0 ? Math.min(topK, z.length) : z.length;
        double kept = 0;
        for (int i = 0; i < keep; i++) {
            kept += p[order.get(i)];
        }
        if (topP < 1) {
            double cum = 0;
            for (int i = 0; i < keep; i++) {
                cum += p[order.get(i)] / kept;
                if (cum >= topP) {
                    keep = i + 1;
                    break;
                }
            }
        }
        double[] q = new double[z.length];
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += p[order.get(i)];
        }
        for (int i = 0; i < keep; i++) {
            q[order.get(i)] = p[order.get(i)] / total;
        }
        return q;
    }

    private static void checkFrequencies(LogitRows rows, float[] z, double t, int topK, double topP) {
        double[] want = expected(z, t, topK, topP);
        TokenSampler sampler = new TokenSampler(VOCAB);
        SplittableRandom random = new SplittableRandom(42);
        double lse = logsumexp(z, 1 / t);
        int[] counts = new int[VOCAB];
        for (int i = 0; i < DRAWS; i++) {
            counts[sampler.sample(rows, 0, t, topK, topP, lse, random)]++;
        }
        // The strong tokens one by one, and the weak tail per 500-id bucket.
        for (int j : new int[] {7, 1500, 2400, 1030}) {
            assertClose(counts[j], want[j], "token " + j);
        }
        for (int b = 0; b < VOCAB; b += 500) {
            int c = 0;
            double p = 0;
            for (int j = b; j < b + 500; j++) {
                if (j != 7 && j != 1500 && j != 2400 && j != 1030) {
                    c += counts[j];
                    p += want[j];
                }
            }
            assertClose(c, p, "tail ids " + b + ".." + (b + 499));
        }
        for (int j = 0; j < VOCAB; j++) {
            if (want[j] == 0) {
                assertThat(counts[j]).as("token %d is outside the truncation", j).isZero();
            }
        }
    }

    private static void assertClose(int count, double p, String what) {
        double sigma = Math.sqrt(Math.max(p * (1 - p), 1e-12) / DRAWS);
        assertThat((double) count / DRAWS).as(what + " (p = " + p + ")").isBetween(p - 5 * sigma - 1e-9, p + 5 * sigma + 1e-9);
    }

    @Test
    void fullDistributionMatchesSoftmaxAtTemperature() {
        float[] z = logits();
        checkFrequencies(LogitRows.of(z, 1, VOCAB), z, 1.0, 0, 1);
        checkFrequencies(LogitRows.of(z, 1, VOCAB), z, 2.5, 0, 1);
    }

    @Test
    void topKKeepsTheKBestRenormalised() {
        float[] z = logits();
        checkFrequencies(LogitRows.of(z, 1, VOCAB), z, 1.0, 3, 1);
    }

    @Test
    void topPKeepsTheSmallestNucleusWithEnoughMass() {
        float[] z = logits();
        checkFrequencies(LogitRows.of(z, 1, VOCAB), z, 1.0, 0, 0.6);
        // A flat tail: the nucleus needs most of the vocabulary, beyond the first candidate widening.
        checkFrequencies(LogitRows.of(z, 1, VOCAB), z, 4.0, 0, 0.9);
        checkFrequencies(LogitRows.of(z, 1, VOCAB), z, 1.0, 10, 0.8);
    }

    @Test
    void float16RowsSampleLikeTheirFloatValues() {
        float[] z = logits();
        short[] half = new short[VOCAB];
        float[] rounded = new float[VOCAB];
        for (int j = 0; j < VOCAB; j++) {
            half[j] = Float.floatToFloat16(z[j]);
            rounded[j] = Float.float16ToFloat(half[j]);
        }
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocateDirect(2 * VOCAB).order(java.nio.ByteOrder.nativeOrder());
        ShortBuffer sb = bb.asShortBuffer();
        sb.put(half);
        checkFrequencies(LogitRows.ofHalf(sb, 1, VOCAB), rounded, 1.0, 0, 1);
    }

    @Test
    void tiesRankByLowerIdAndTheSameSeedRepeatsTheDraws() {
        float[] z = new float[VOCAB];
        z[900] = 3;
        z[10] = 3;
        TokenSampler sampler = new TokenSampler(VOCAB);
        double lse = logsumexp(z, 1);
        assertThat(sampler.sample(LogitRows.of(z, 1, VOCAB), 0, 1.0, 1, 1, lse, new SplittableRandom(1))).isEqualTo(10);
        int[] a = new int[50];
        int[] b = new int[50];
        SplittableRandom ra = new SplittableRandom(9);
        SplittableRandom rb = new SplittableRandom(9);
        float[] w = logits();
        double lw = logsumexp(w, 1);
        for (int i = 0; i < 50; i++) {
            a[i] = sampler.sample(LogitRows.of(w, 1, VOCAB), 0, 1.0, 0, 1, lw, ra);
            b[i] = sampler.sample(LogitRows.of(w, 1, VOCAB), 0, 1.0, 0, 1, lw, rb);
        }
        assertThat(a).containsExactly(b);
        assertThat(Arrays.stream(a).distinct().count()).isGreaterThan(1);
    }
}
