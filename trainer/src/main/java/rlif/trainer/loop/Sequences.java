package rlif.trainer.loop;

import java.util.List;
import rlif.trainer.graph.TokenBatch;

/**
 * Packs (prompt, completion) token sequences into a right-padded {@link TokenBatch} for next-token
 * training: position t predicts token t+1, and only completion tokens carry loss weight.
 */
final class Sequences {
    private Sequences() {}

    /** One row: prompt ids (bos included), completion ids, and per-completion-token extras (may be null). */
    record Row(int[] prompt, int[] completion, double[] oldLogp, double[] refLogp) {}

    /**
     * @param tokenLevel weights {@code 1 / all completion tokens} when true, else {@code 1 / (n_i * rows)}
     * @param maxLength rows longer than this are cut (their tail loses its loss)
     */
    static TokenBatch pack(List<Row> rows, boolean tokenLevel, int maxLength, int padId, double[] advantages) {
        int n = rows.size();
        int len = 1;
        for (Row r : rows) {
            len = Math.max(len, Math.min(maxLength, r.prompt().length + r.completion().length - 1));
        }
        long[] ids = new long[n * len];
        long[] mask = new long[n * len];
        long[] pos = new long[n * len];
        long[] targets = new long[n * len];
        float[] weights = new float[n * len];
        float[] old = new float[n * len];
        float[] ref = new float[n * len];
        int totalTokens = 0;
        int nonEmpty = 0;
        for (Row r : rows) {
            int kept = kept(r, len);
            totalTokens += kept;
            nonEmpty += kept > 0 ? 1 : 0;
        }
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            int[] seq = new int[r.prompt().length + r.completion().length];
            System.arraycopy(r.prompt(), 0, seq, 0, r.prompt().length);
            System.arraycopy(r.completion(), 0, seq, r.prompt().length, r.completion().length);
            int kept = kept(r, len);
            for (int t = 0; t < len; t++) {
                int at = i * len + t;
                pos[at] = t;
                if (t + 1 < seq.length) {
                    ids[at] = seq[t];
                    targets[at] = seq[t + 1];
                    mask[at] = 1;
                } else {
                    ids[at] = padId;
                    targets[at] = padId;
                    mask[at] = t < seq.length ? 1 : 0;
                    if (t < seq.length) {
                        ids[at] = seq[t];
                    }
                }
                int k = t + 1 - r.prompt().length; // which completion token position t predicts
                if (k >= 0 && k < kept) {
                    weights[at] = (float) (tokenLevel ? 1.0 / totalTokens : 1.0 / ((double) kept * nonEmpty));
                    if (r.oldLogp() != null) {
                        old[at] = (float) r.oldLogp()[k];
                    }
                    if (r.refLogp() != null) {
                        ref[at] = (float) r.refLogp()[k];
                    }
                }
            }
        }
        float[] adv = null;
        if (advantages != null) {
            adv = new float[n];
            for (int i = 0; i < n; i++) {
                adv[i] = (float) advantages[i];
            }
        }
        return new TokenBatch(n, len, ids, mask, pos, targets, weights, old, ref, adv);
    }

    /** Completion tokens of {@code r} that fit in {@code len} positions. */
    private static int kept(Row r, int len) {
        return Math.max(0, Math.min(r.completion().length, len + 1 - r.prompt().length));
    }
}
