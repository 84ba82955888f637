package rlif.kernels;

import java.util.Arrays;

/**
 * The per-row outputs of one signal-kernel call, in arrays a caller can reuse across decode steps.
 *
 * <p>All values are for {@code z = logits / T}: {@code logsumexp(z)}, token entropy
 * {@code H = logsumexp(z) - sum_j p_j z_j}, self-certainty {@code S = KL(U || p) = logsumexp(z) - mean(z) - log V},
 * the chosen token's log-prob {@code z_c - logsumexp(z)} (NaN when no token was chosen), and the argmax.
 */
public final class SignalBatch {
    public final double[] logsumexp;
    public final double[] entropy;
    public final double[] selfCertainty;
    public final double[] chosenLogprob;
    public final int[] argmax;

    public SignalBatch(int capacity) {
        logsumexp = new double[capacity];
        entropy = new double[capacity];
        selfCertainty = new double[capacity];
        chosenLogprob = new double[capacity];
        argmax = new int[capacity];
    }

    public int capacity() {
        return argmax.length;
    }

    /** Fills every output with NaN / -1 so a row a backend forgot to write cannot pass for a result. */
    public void clear() {
        Arrays.fill(logsumexp, Double.NaN);
        Arrays.fill(entropy, Double.NaN);
        Arrays.fill(selfCertainty, Double.NaN);
        Arrays.fill(chosenLogprob, Double.NaN);
        Arrays.fill(argmax, -1);
    }
}
