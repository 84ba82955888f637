package rlif.kernels;

/**
 * Online-softmax state of one span of a row in the temperature-scaled domain {@code z = x / T}, kept in
 * double so spans (chunks, lanes, threads) can be merged in any grouping without losing precision.
 *
 * <p>{@code s = sum exp(z - max)}, {@code t = sum exp(z - max) (z - max)}, {@code sum = sum z}, {@code argmax}
 * the first column holding the maximum ({@code -1} while the span is empty).
 */
final class SoftmaxPartial {
    double max = Double.NEGATIVE_INFINITY;
    double s;
    double t;
    double sum;
    int argmax = -1;

    /**
     * Merges the state of a span that lies after this one in the row. A masked-only span has
     * {@code max = -inf, s = 0} and still carries its first column as argmax, as the scalar backend does.
     */
    void merge(double bMax, double bS, double bT, double bSum, int bArgmax) {
        sum += bSum;
        if (bArgmax < 0) {
            return;
        }
        if (argmax < 0) {
            max = bMax;
            s = bS;
            t = bT;
            argmax = bArgmax;
            return;
        }
        if (bMax > max) {
            // Rescale this span to the new maximum: exp(z - bMax) = exp(z - max) exp(max - bMax).
            double d = max - bMax;
            if (s > 0) {
                double scale = Math.exp(d);
                t = scale * (t + d * s);
                s *= scale;
            }
            s += bS;
            t += bT;
            max = bMax;
            argmax = bArgmax;
        } else if (bMax == max) {
            s += bS; // the same frame: the vector backend's chunks after the first, no exp needed
            t += bT;
        } else if (bS > 0) {
            double d = bMax - max;
            double scale = Math.exp(d);
            t += scale * (bT + d * bS);
            s += scale * bS;
        }
    }

    /** Writes row {@code row} of {@code out}; {@code chosenZ} is the chosen logit over T, or NaN. */
    void finish(int vocab, double chosenZ, SignalBatch out, int row) {
        double logS = Math.log(s);
        double lse = max + logS;
        out.logsumexp[row] = lse;
        out.entropy[row] = logS - t / s;
        out.selfCertainty[row] = lse - sum / vocab - Math.log(vocab);
        out.argmax[row] = argmax;
        out.chosenLogprob[row] = chosenZ - lse;
    }
}
