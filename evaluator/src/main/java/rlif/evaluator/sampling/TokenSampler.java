package rlif.evaluator.sampling;

import java.util.random.RandomGenerator;
import rlif.kernels.LogitRows;

/**
 * Draws the next token of one row from {@code softmax(logits / T)}, optionally truncated to the top-k
 * tokens and then to the top-p nucleus. Candidates are ordered by logit, ties by lower id, so a
 * truncation never depends on anything but the row's own logits.
 *
 * <p>Each call consumes exactly one {@code nextDouble()} from the row's generator: a row's stream of
 * tokens depends only on its logits and its seed, never on its neighbours in the batch. Holds scratch
 * buffers: one instance per thread.
 */
public final class TokenSampler {
    private final float[] row;
    private int[] heap;
    private final double[] weights;

    public TokenSampler(int vocab) {
        row = new float[vocab];
        heap = new int[Math.min(vocab, 64)];
        weights = new double[vocab];
    }

    /**
     * Samples a token of {@code logits} row {@code r} at {@code temperature} (> 0);
     * {@code logsumexp} is {@code logsumexp(logits[r] / temperature)} as the signal kernel computed it.
     */
    public int sample(LogitRows logits, int r, double temperature, int topK, double topP, double logsumexp,
            RandomGenerator random) {
        int vocab = logits.vocab();
        double invT = 1.0 / temperature;
        double u = random.nextDouble();
        boolean truncK = topK > 0 && topK < vocab;
        boolean truncP = topP < 1;
        if (!truncK && !truncP) {
            return sampleFull(logits, r, invT, logsumexp, u);
        }
        for (int j = 0; j < vocab; j++) {
            row[j] = logits.get(r, j);
        }
        int k = truncK ? topK : Math.min(vocab, 64);
        int n;
        while (true) {
            n = topCandidates(k, vocab);
            if (!truncP || truncK || k == vocab) {
                break;
            }
            // Nucleus search: widen the candidate set until it holds mass >= p.
            double mass = 0;
            for (int i = 0; i < n; i++) {
                mass += Math.exp(row[heap[i]] * invT - logsumexp);
            }
            if (mass >= topP) {
                break;
            }
            k = (int) Math.min(vocab, 2L * k);
        }
        // heap[0..n) is sorted best first; weights relative to the best candidate.
        double best = row[heap[0]] * invT;
        double total = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = Math.exp(row[heap[i]] * invT - best);
            total += weights[i];
        }
        if (truncP) {
            double cum = 0;
            int keep = n;
            for (int i = 0; i < n; i++) {
                cum += weights[i];
                if (cum >= topP * total) {
                    keep = i + 1;
                    break;
                }
            }
            n = keep;
            total = cum;
        }
        double target = u * total;
        double cum = 0;
        for (int i = 0; i < n; i++) {
            cum += weights[i];
            if (target < cum) {
                return heap[i];
            }
        }
        return heap[n - 1];
    }

    /** Inverse-CDF draw over the whole vocabulary with probabilities {@code exp(z/T - lse)}. */
    private static int sampleFull(LogitRows logits, int r, double invT, double logsumexp, double u) {
        int vocab = logits.vocab();
        double cum = 0;
        int last = 0;
        for (int j = 0; j < vocab; j++) {
            double p = Math.exp(logits.get(r, j) * invT - logsumexp);
            if (p > 0) {
                cum += p;
                last = j;
                if (u < cum) {
                    return j;
                }
            }
        }
        // Rounding left the total a hair under u: the draw lands on the last token with mass.
        return last;
    }

    /** Fills {@code heap[0..k)} with the ids of the k best entries of {@code row}, best first. */
    private int topCandidates(int k, int vocab) {
        if (heap.length < k) {
            heap = new int[k];
        }
        int size = 0;
        for (int j = 0; j < vocab; j++) {
            if (size < k) {
                heap[size] = j;
                siftUp(size++);
            } else if (better(j, heap[0])) {
                heap[0] = j;
                siftDown(0, size);
            }
        }
        // Heap sort in place: repeatedly move the worst to the end, leaving best-first order.
        for (int end = size - 1; end > 0; end--) {
            int t = heap[0];
            heap[0] = heap[end];
            heap[end] = t;
            siftDown(0, end);
        }
        return size;
    }

    /** Whether token a ranks above token b: higher logit, or the same logit and a lower id. */
    private boolean better(int a, int b) {
        float za = row[a];
        float zb = row[b];
        return za > zb || (za == zb && a < b);
    }

    // Min-heap by rank: heap[0] is the worst candidate kept so far.
    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (better(heap[parent], heap[i])) {
                int t = heap[parent];
                heap[parent] = heap[i];
                heap[i] = t;
                i = parent;
            } else {
                return;
            }
        }
    }

    private void siftDown(int i, int size) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int worst = l;
            int rr = l + 1;
            if (rr < size && better(heap[l], heap[rr])) {
                worst = rr;
            }
            if (better(heap[i], heap[worst])) {
                int t = heap[i];
                heap[i] = heap[worst];
                heap[worst] = t;
                i = worst;
            } else {
                return;
            }
        }
    }
}
