package rlif.evaluator.sampling;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Vocabulary entries per block of the full-distribution draw. */
    private static final int BLOCK = 1024;

    /** Logit buckets of the nucleus search; more buckets, fewer tokens to sort in the crossing one. */
    private static final int NUCLEUS_BUCKETS = 1024;

    private final float[] row;
    private final short[] halves;
    private final double[] bucketMass = new double[NUCLEUS_BUCKETS];
    private int[] heap;
    private final float[] weights;

    public TokenSampler(int vocab) {
        row = new float[vocab];
        halves = new short[vocab];
        heap = new int[Math.min(vocab, 64)];
        weights = new float[vocab];
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
        copyRow(logits, r);
        if (!truncK) {
            return sampleNucleus(vocab, invT, logsumexp, topP, u);
        }
        int n = topCandidates(topK, vocab);
        // heap[0..n) is sorted best first; weights relative to the best candidate.
        double best = row[heap[0]] * invT;
        double total = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = (float) Math.exp(row[heap[i]] * invT - best);
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

    /**
     * Top-p without top-k over {@code row}: the smallest best-first prefix of the ranking with mass
     * {@code >= p}, found without sorting the vocabulary. Tokens are bucketed by logit; buckets above the
     * one where the mass crosses {@code p} are wholly inside, and only that bucket is sorted. The draw
     * then walks the members in id order, which picks each with its renormalised probability.
     */
    private int sampleNucleus(int vocab, double invT, double logsumexp, double topP, double u) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < vocab; j++) {
            if (row[j] != Float.NEGATIVE_INFINITY) {
                lo = Math.min(lo, row[j]);
                hi = Math.max(hi, row[j]);
            }
        }
        double scale = hi > lo ? (NUCLEUS_BUCKETS - 1) / ((double) hi - lo) : 0;
        Arrays.fill(bucketMass, 0);
        expInto(vocab, (float) invT, (float) logsumexp);
        for (int j = 0; j < vocab; j++) {
            bucketMass[bucket(row[j], lo, scale)] += weights[j];
        }
        double total = 0;
        for (double m : bucketMass) {
            total += m;
        }
        double target = topP * total;
        double inside = 0;
        int crossing = 0;
        for (int b = NUCLEUS_BUCKETS - 1; b >= 0; b--) {
            if (inside + bucketMass[b] >= target) {
                crossing = b;
                break;
            }
            inside += bucketMass[b];
        }
        // Rank the crossing bucket's tokens (higher logit, then lower id) and take them until mass >= p.
        int m = 0;
        for (int j = 0; j < vocab; j++) {
            if (weights[j] > 0 && bucket(row[j], lo, scale) == crossing) {
                heapOrScratch(m + 1)[m++] = j;
            }
        }
        if (m == 0) {
            // Rounding kept the top-down sums under p: the nucleus is the whole distribution.
            double x = u * total;
            double cum = 0;
            for (int j = 0; j < vocab; j++) {
                cum += weights[j];
                if (x < cum) {
                    return j;
                }
            }
            return vocab - 1;
        }
        int[] ranked = sortBestFirst(m);
        int cutRank = m - 1;
        for (int i = 0; i < m; i++) {
            inside += weights[ranked[i]];
            if (inside >= target) {
                cutRank = i;
                break;
            }
        }
        float cutLogit = row[ranked[cutRank]];
        int cutId = ranked[cutRank];
        double x = u * inside;
        double cum = 0;
        int last = cutId;
        for (int j = 0; j < vocab; j++) {
            int b = weights[j] > 0 ? bucket(row[j], lo, scale) : -1;
            boolean member = b > crossing
                    || (b == crossing && (row[j] > cutLogit || (row[j] == cutLogit && j <= cutId)));
            if (member) {
                cum += weights[j];
                last = j;
                if (x < cum) {
                    return j;
                }
            }
        }
        return last;
    }

    private static int bucket(float z, float lo, double scale) {
        return z == Float.NEGATIVE_INFINITY ? 0 : (int) ((z - (double) lo) * scale);
    }

    /** {@code heap} grown to at least {@code n} entries (it doubles as scratch for the nucleus). */
    private int[] heapOrScratch(int n) {
        if (heap.length < n) {
            heap = Arrays.copyOf(heap, Math.max(n, 2 * heap.length));
        }
        return heap;
    }

    /** Sorts {@code heap[0..m)} best first (higher logit, then lower id) and returns it. */
    private int[] sortBestFirst(int m) {
        Integer[] boxed = new Integer[m];
        for (int i = 0; i < m; i++) {
            boxed[i] = heap[i];
        }
        Arrays.sort(boxed, (a, b) -> better(a, b) ? -1 : better(b, a) ? 1 : 0);
        for (int i = 0; i < m; i++) {
            heap[i] = boxed[i];
        }
        return heap;
    }

    /**
     * Inverse-CDF draw over the whole vocabulary with probabilities {@code exp(z/T - lse)}. Blocks whose
     * mass the draw passes are summed with vector exps in float; the block the draw lands in is scanned
     * exactly in double. The split depends only on the row, so the draw stays reproducible.
     */
    private int sampleFull(LogitRows logits, int r, double invT, double logsumexp, double u) {
        int vocab = logits.vocab();
        copyRow(logits, r);
        float fInvT = (float) invT;
        float fLse = (float) logsumexp;
        double cum = 0;
        int lastWithMass = -1;
        for (int start = 0; start < vocab; start += BLOCK) {
            int end = Math.min(vocab, start + BLOCK);
            if (end < vocab) {
                double block = blockMass(start, end, fInvT, fLse);
                if (u >= cum + block) {
                    cum += block;
                    continue;
                }
            }
            for (int j = start; j < end; j++) {
                double p = Math.exp(row[j] * invT - logsumexp);
                if (p > 0) {
                    cum += p;
                    lastWithMass = j;
                    if (u < cum) {
                        return j;
                    }
                }
            }
        }
        // Rounding left the total a hair under u: the draw lands on the last token with mass.
        if (lastWithMass >= 0) {
            return lastWithMass;
        }
        int best = 0;
        for (int j = 1; j < vocab; j++) {
            if (row[j] > row[best]) {
                best = j;
            }
        }
        return best;
    }

    /** {@code weights[j] = exp(row[j] * invT - lse)} for every j, with vector exps in float. */
    private void expInto(int vocab, float invT, float lse) {
        int j = 0;
        int upper = SPECIES.loopBound(vocab);
        for (; j < upper; j += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, row, j).mul(invT).sub(lse).lanewise(VectorOperators.EXP)
                    .intoArray(weights, j);
        }
        for (; j < vocab; j++) {
            weights[j] = (float) Math.exp(row[j] * (double) invT - lse);
        }
    }

    /** {@code sum exp(row[j] * invT - lse)} over {@code [start, end)}, float lanes, double total. */
    private double blockMass(int start, int end, float invT, float lse) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int j = start;
        int upper = start + SPECIES.loopBound(end - start);
        for (; j < upper; j += SPECIES.length()) {
            FloatVector z = FloatVector.fromArray(SPECIES, row, j);
            acc = acc.add(z.mul(invT).sub(lse).lanewise(VectorOperators.EXP));
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < end; j++) {
            sum += Math.exp(row[j] * (double) invT - lse);
        }
        return sum;
    }

    /** Copies logits row {@code r} into {@code row} as float32, reading each storage form directly. */
    private void copyRow(LogitRows logits, int r) {
        int vocab = logits.vocab();
        int base = r * vocab;
        switch (logits) {
            case LogitRows.F32Array a -> System.arraycopy(a.data(), a.offset() + base, row, 0, vocab);
            case LogitRows.F32Buffer b -> b.data().get(base, row, 0, vocab);
            case LogitRows.F16Buffer h -> {
                h.data().get(base, halves, 0, vocab);
                for (int j = 0; j < vocab; j++) {
                    row[j] = Float.float16ToFloat(halves[j]);
                }
            }
            default -> {
                for (int j = 0; j < vocab; j++) {
                    row[j] = logits.get(r, j);
                }
            }
        }
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
