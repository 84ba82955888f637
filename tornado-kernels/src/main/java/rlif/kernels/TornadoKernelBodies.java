package rlif.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;

/**
 * The TornadoVM kernels as plain Java: TornadoVM compiles these static methods for the device, and tests call
 * them directly on the CPU. They use only arithmetic, arrays and calls TornadoVM inlines (no java.lang.Math:
 * TornadoVM maps its own math class, which cannot load outside the TornadoVM runtime).
 *
 * <p>Stage one ({@link #chunkPartials}) runs one thread per (row, chunk of {@value #CHUNK} columns) with a
 * sequential online softmax over the chunk; stage two ({@link #combineChunks}) runs one thread per row and merges
 * its chunks in double. The host finishes each row with one log ({@link #finishRow}).
 */
public final class TornadoKernelBodies {
    private TornadoKernelBodies() {}

    /** Columns per stage-one thread: enough work per thread to hide latency, few chunks to merge per row. */
    public static final int CHUNK = 1024;

    /** Values per chunk partial in {@code partials}: max z, s, t, sum z. */
    static final int PARTIAL = 4;

    /** {@code shape} layout: rows, vocab, chunks per row, chunk width. */
    public static int[] shape(int rows, int vocab) {
        return new int[] {rows, vocab, (vocab + CHUNK - 1) / CHUNK, CHUNK};
    }

    /** {@code 2^-k} for k in [0, 127): the exponent step of {@link #exp}, passed to the device once. */
    public static float[] negativePowersOfTwo() {
        float[] table = new float[127];
        float p = 1f;
        for (int k = 0; k < table.length; k++) {
            table[k] = p;
            p *= 0.5f;
        }
        return table;
    }

    /**
     * {@code exp(x)} for {@code x <= 0}: {@code x log2 e = -k + f} with |f| <= 1/2, {@code 2^-k} from the table,
     * {@code exp(f ln 2)} from the Cephes expf polynomial. Arguments below -87 give 0.
     */
    static float exp(float x, float[] pow2) {
        if (x < -87f) {
            return 0f;
        }
        float scaled = x * 1.44269504088896341f;
        int k = (int) (0.5f - scaled); // round(-scaled), as -scaled >= 0
        float r = x + k * 0.693359375f; // Cody-Waite: k * LN2_HI is exact
        r = r + k * -2.12194440e-4f;
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        p = p * r * r + r + 1f;
        return p * pow2[k];
    }

    /**
     * Stage one: for each (row, chunk) the online softmax of its columns in float32. Writes max x, s, t and
     * sum x (x the raw logits; s and t are over z = x / T) to {@code partials[4 p ..]} and the first column of the maximum to {@code partialArgmax[p]}.
     */
    public static void chunkPartials(float[] logits, int[] shape, float[] invTemperature, float[] pow2,
            float[] partials, int[] partialArgmax) {
        int rows = shape[0];
        int vocab = shape[1];
        int chunks = shape[2];
        int width = shape[3];
        float invT = invTemperature[0];
        for (@Parallel int p = 0; p < rows * chunks; p++) {
            int row = p / chunks;
            int from = (p - row * chunks) * width;
            int to = Math.min(vocab, from + width);
            int base = row * vocab;
            float max = Float.NEGATIVE_INFINITY;
            float s = 0f;
            float t = 0f;
            float sum = 0f;
            int argmax = from;
            for (int j = from; j < to; j++) {
                float x = logits[base + j];
                sum += x;
                if (x > max) {
                    if (s > 0f) {
                        float d = (max - x) * invT;
                        float scale = exp(d, pow2);
                        t = scale * (t + d * s);
                        s = s * scale;
                    }
                    max = x;
                    argmax = j;
                }
                if (x != Float.NEGATIVE_INFINITY) {
                    float d = (x - max) * invT;
                    float e = exp(d, pow2);
                    s += e;
                    t += e * d;
                }
            }
            // max and sum stay in the logits' own scale: the host applies 1/T in double, where it is exact enough.
            partials[PARTIAL * p] = max;
            partials[PARTIAL * p + 1] = s;
            partials[PARTIAL * p + 2] = t;
            partials[PARTIAL * p + 3] = sum;
            partialArgmax[p] = argmax;
        }
    }

    /**
     * Stage two: per row, merges its chunk partials in order (double accumulators) into {@code rowStats[4 r ..]}
     * = max x, s, t, sum x and {@code rowArgmax[r]}.
     */
    public static void combineChunks(float[] partials, int[] partialArgmax, int[] shape, float[] invTemperature,
            float[] pow2, double[] rowStats, int[] rowArgmax) {
        int rows = shape[0];
        int chunks = shape[2];
        float invT = invTemperature[0];
        for (@Parallel int row = 0; row < rows; row++) {
            int first = row * chunks;
            float max = partials[PARTIAL * first];
            double s = partials[PARTIAL * first + 1];
            double t = partials[PARTIAL * first + 2];
            double sum = partials[PARTIAL * first + 3];
            int argmax = partialArgmax[first];
            for (int c = 1; c < chunks; c++) {
                int p = first + c;
                float bMax = partials[PARTIAL * p];
                double bS = partials[PARTIAL * p + 1];
                double bT = partials[PARTIAL * p + 2];
                sum += partials[PARTIAL * p + 3];
                if (bMax > max) {
                    if (s > 0) {
                        float d = (max - bMax) * invT;
                        double scale = exp(d, pow2);
                        t = scale * (t + d * s);
                        s = s * scale;
                    }
                    s += bS;
                    t += bT;
                    max = bMax;
                    argmax = partialArgmax[p];
                } else if (bS > 0) {
                    float d = (bMax - max) * invT;
                    double scale = exp(d, pow2);
                    t += scale * (bT + d * bS);
                    s += scale * bS;
                }
            }
            rowStats[PARTIAL * row] = max;
            rowStats[PARTIAL * row + 1] = s;
            rowStats[PARTIAL * row + 2] = t;
            rowStats[PARTIAL * row + 3] = sum;
            rowArgmax[row] = argmax;
        }
    }

    /** Host side: the signals of row {@code row} from its merged statistics, at temperature {@code T}. */
    static void finishRow(double[] rowStats, int[] rowArgmax, int row, int vocab, double temperature, double chosenZ,
            SignalBatch out) {
        SoftmaxPartial p = new SoftmaxPartial();
        p.max = rowStats[PARTIAL * row] / temperature;
        p.s = rowStats[PARTIAL * row + 1];
        p.t = rowStats[PARTIAL * row + 2];
        p.sum = rowStats[PARTIAL * row + 3] / temperature;
        p.argmax = rowArgmax[row];
        p.finish(vocab, chosenZ, out, row);
    }
}
