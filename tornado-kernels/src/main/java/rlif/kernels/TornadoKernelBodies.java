package rlif.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;

/**
 * The TornadoVM kernels as plain Java: TornadoVM compiles these static methods for the device, and tests call
 * them directly on the CPU. They use only arithmetic, arrays and calls TornadoVM inlines (no java.lang.Math:
 * TornadoVM maps its own math class, which cannot load outside the TornadoVM runtime).
 *
 * <p>Stage one ({@link #slotPartials}) runs {@code slots} threads per row; slot {@code k} runs a sequential online
 * softmax over columns {@code k, k + slots, k + 2 slots, ...}, so neighbouring threads read neighbouring floats
 * (coalesced loads on a GPU). Stage two ({@link #combineSlots}) runs one thread per row and merges its slots in
 * double. The host finishes each row with one log ({@link #finishRow}).
 */
public final class TornadoKernelBodies {
    private TornadoKernelBodies() {}

    /** Fewest stage-one threads per row: a GPU needs thousands of threads in flight to cover memory latency. */
    public static final int MIN_SLOTS = 256;

    /** Most columns one stage-one thread sums in float32 (the bound the tolerances in docs/signals.md assume). */
    public static final int MAX_TERMS = 1024;

    /** Values per slot partial in {@code partials}: max x, s, t, sum x. */
    static final int PARTIAL = 4;

    /** {@code shape} layout: rows, vocab, slots per row (a multiple of 32, a GPU warp). */
    public static int[] shape(int rows, int vocab) {
        int slots = Math.max(MIN_SLOTS, (vocab + MAX_TERMS - 1) / MAX_TERMS);
        slots = (slots + 31) / 32 * 32;
        return new int[] {rows, vocab, slots};
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
     * Stage one: for each (row, slot) the online softmax of the slot's columns in float32. Writes max x, s, t
     * and sum x (x the raw logits; s and t are over z = x / T) to {@code partials[4 p ..]} and the first column
     * of the maximum to {@code partialArgmax[p]}.
     */
    public static void slotPartials(float[] logits, int[] shape, float[] invTemperature, float[] pow2,
            float[] partials, int[] partialArgmax) {
        int rows = shape[0];
        int vocab = shape[1];
        int slots = shape[2];
        float invT = invTemperature[0];
        for (@Parallel int p = 0; p < rows * slots; p++) {
            int row = p / slots;
            int slot = p - row * slots;
            int base = row * vocab;
            float max = Float.NEGATIVE_INFINITY;
            float s = 0f;
            float t = 0f;
            float sum = 0f;
            int argmax = slot < vocab ? slot : vocab;
            for (int j = slot; j < vocab; j += slots) {
                float x = logits[base + j];
                sum += x;
                if (x > max) {
                    if (s > 0f) {
                        // d can overflow to -inf for logits near the float limit; a zero scale then clears t
                        // rather than multiplying 0 by -inf.
                        float d = (max - x) * invT;
                        float scale = exp(d, pow2);
                        t = scale > 0f ? scale * (t + d * s) : 0f;
                        s = s * scale;
                    }
                    max = x;
                    argmax = j;
                }
                if (x != Float.NEGATIVE_INFINITY) {
                    float d = (x - max) * invT;
                    float e = exp(d, pow2);
                    if (e > 0f || e != e) { // 0 * (d = -inf) would be NaN; a NaN logit's NaN weight is kept
                        s += e;
                        t += e * d;
                    }
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
     * Stage two: per row, merges its slot partials (double accumulators) into {@code rowStats[4 r ..]} = max x,
     * s, t, sum x and {@code rowArgmax[r]}, the smallest column holding the maximum. Slots holding no column
     * (vocab smaller than slots) carry max -inf, s = 0 and argmax = vocab, so they never win.
     */
    public static void combineSlots(float[] partials, int[] partialArgmax, int[] shape, float[] invTemperature,
            float[] pow2, double[] rowStats, int[] rowArgmax) {
        int rows = shape[0];
        int slots = shape[2];
        float invT = invTemperature[0];
        for (@Parallel int row = 0; row < rows; row++) {
            int first = row * slots;
            float max = partials[PARTIAL * first];
            double s = partials[PARTIAL * first + 1];
            double t = partials[PARTIAL * first + 2];
            double sum = partials[PARTIAL * first + 3];
            int argmax = partialArgmax[first];
            for (int c = 1; c < slots; c++) {
                int p = first + c;
                float bMax = partials[PARTIAL * p];
                double bS = partials[PARTIAL * p + 1];
                double bT = partials[PARTIAL * p + 2];
                sum += partials[PARTIAL * p + 3];
                if (bMax > max) {
                    if (s > 0) {
                        float d = (max - bMax) * invT;
                        double scale = exp(d, pow2);
                        t = scale > 0 ? scale * (t + d * s) : 0;
                        s = s * scale;
                    }
                    s += bS;
                    t += bT;
                    max = bMax;
                    argmax = partialArgmax[p];
                } else {
                    if (bS > 0) {
                        float d = (bMax - max) * invT;
                        double scale = exp(d, pow2);
                        if (scale > 0) {
                            t += scale * (bT + d * bS);
                            s += scale * bS;
                        }
                    }
                    if (bMax == max && partialArgmax[p] < argmax) {
                        argmax = partialArgmax[p];
                    }
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
        if (Double.isNaN(p.sum)) {
            p.s = Double.NaN; // a NaN logit; the merge above skips NaN slot sums, the plain sum of x keeps it
        }
        p.finish(vocab, chosenZ, out, row);
    }
}
