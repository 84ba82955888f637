package rlif.kernels;

/**
 * The reference backend: one obviously-correct online-softmax pass per row, accumulated in double.
 *
 * <p>Running max {@code m}, {@code s = sum exp(z - m)}, {@code t = sum exp(z - m) (z - m)} and
 * {@code u = sum z}; then {@code lse = m + log s}, {@code H = log s - t / s}, {@code S = lse - u / V - log V}.
 * Entries equal to {@code -inf} (masked) contribute nothing to {@code s} and {@code t}; they make
 * {@code mean(z)} and therefore self-certainty {@code +inf}, which is the correct KL from uniform.
 */
public final class ScalarSignalKernel implements SignalKernel {
    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void compute(LogitRows logits, double temperature, int[] chosen, SignalBatch out) {
        // Checks chosen ids against the vocabulary: unchecked, an id >= vocab read the next row's logit.
        KernelArgs.check(logits, temperature, chosen, out);
        int vocab = logits.vocab();
        double invT = 1.0 / temperature;
        for (int r = 0; r < logits.rows(); r++) {
            double max = Double.NEGATIVE_INFINITY;
            double s = 0;
            double t = 0;
            double sum = 0;
            int argmax = 0;
            for (int j = 0; j < vocab; j++) {
                double z = logits.get(r, j) * invT;
                sum += z;
                if (z > max) {
                    // Rescale what has been accumulated so far to the new maximum.
                    if (s > 0) {
                        double scale = Math.exp(max - z);
                        t = scale * (t + (max - z) * s);
                        s *= scale;
                    }
                    max = z;
                    argmax = j;
                }
                if (z != Double.NEGATIVE_INFINITY) {
                    double e = Math.exp(z - max);
                    s += e;
                    t += e * (z - max);
                }
            }
            double lse = max + Math.log(s);
            out.logsumexp[r] = lse;
            out.entropy[r] = Math.log(s) - t / s;
            out.selfCertainty[r] = lse - sum / vocab - Math.log(vocab);
            out.argmax[r] = argmax;
            out.chosenLogprob[r] = chosen == null ? Double.NaN : logits.get(r, chosen[r]) * invT - lse;
        }
    }
}
