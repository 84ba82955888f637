package rlif.trainer.batch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import rlif.trainer.graph.TokenBatch;
import rlif.trainer.grpo.LossType;

/**
 * Cuts a step's sequences into micro-batches of at most {@code microBatchSize} rows and packs each into a
 * right-padded {@link TokenBatch} for next-token training: position t predicts token t+1, and only completion
 * tokens carry loss weight. Every weight is the token's share of the <em>whole step's</em> loss, so the
 * gradients of the micro-batches add up to the step's gradient, and peak memory depends on the micro-batch, not
 * the step.
 *
 * <p>Sequences are taken in order of length (stable), so each micro-batch pads little.
 */
public final class MicroBatcher {
    private MicroBatcher() {}

    /**
     * SFT: the mean negative log-likelihood of every completion token of the step ({@code 1 / T}). Sequences longer
     * than {@code maxLength} positions are cut, and their cut tail carries no loss.
     */
    public static List<MicroBatch> supervised(List<Sequence> step, int microBatchSize, int maxLength, int padId) {
        int[] kept = new int[step.size()];
        long tokens = 0;
        for (int i = 0; i < kept.length; i++) {
            Sequence s = step.get(i);
            kept[i] = Math.max(0, Math.min(s.completion().length, maxLength + 1 - s.prompt().length));
            tokens += kept[i];
        }
        long total = tokens;
        return cut(step, kept, microBatchSize, maxLength, padId, (i, mbTokens, mbCount) -> total == 0 ? 0 : 1.0 / total,
                false);
    }

    /**
     * GRPO: each completion token weighted by {@code lossType} over the step ({@code maxCompletionLength} is
     * Dr. GRPO's constant); with {@code entropyWeights}, also the entropy bonus's {@code 1 / T}.
     */
    public static List<MicroBatch> grpo(List<Sequence> step, int microBatchSize, LossType lossType,
            int maxCompletionLength, boolean entropyWeights, int padId) {
        int[] kept = new int[step.size()];
        long tokens = 0;
        for (int i = 0; i < kept.length; i++) {
            kept[i] = step.get(i).completion().length;
            tokens += kept[i];
        }
        long total = tokens;
        int n = step.size();
        return cut(step, kept, microBatchSize, Integer.MAX_VALUE, padId, (i, mbTokens, mbCount) -> kept[i] == 0 ? 0
                : lossType.tokenWeight(kept[i], n, total, maxCompletionLength, mbTokens, mbCount), entropyWeights);
    }

    /** The weight of a token of sequence {@code i} lying in a micro-batch of {@code microTokens} among {@code microBatches}. */
    private interface Weight {
        double of(int i, long microTokens, int microBatches);
    }

    private static List<MicroBatch> cut(List<Sequence> step, int[] kept, int microBatchSize, int maxLength, int padId,
            Weight weight, boolean entropyWeights) {
        if (microBatchSize < 1) {
            throw new IllegalArgumentException("micro-batch size must be >= 1");
        }
        Integer[] order = new Integer[step.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> step.get(i).length()));
        long allTokens = Arrays.stream(kept).asLongStream().sum();
        int microBatches = (order.length + microBatchSize - 1) / microBatchSize;
        List<MicroBatch> out = new ArrayList<>(microBatches);
        for (int start = 0; start < order.length; start += microBatchSize) {
            int[] rows = new int[Math.min(microBatchSize, order.length - start)];
            long microTokens = 0;
            for (int r = 0; r < rows.length; r++) {
                rows[r] = order[start + r];
                microTokens += kept[rows[r]];
            }
            out.add(new MicroBatch(pack(step, rows, kept, maxLength, padId, weight, microTokens, microBatches,
                    entropyWeights ? allTokens : 0), rows));
        }
        return out;
    }

    private static TokenBatch pack(List<Sequence> step, int[] rows, int[] kept, int maxLength, int padId, Weight weight,
            long microTokens, int microBatches, long entropyTokens) {
        int n = rows.length;
        int len = 1;
        for (int i : rows) {
            len = Math.max(len, Math.min(maxLength, step.get(i).length() - 1));
        }
        boolean grpo = step.get(rows[0]).oldLogp() != null;
        long[] ids = new long[n * len];
        long[] mask = new long[n * len];
        long[] pos = new long[n * len];
        long[] targets = new long[n * len];
        float[] weights = new float[n * len];
        float[] old = grpo ? new float[n * len] : null;
        float[] ref = grpo ? new float[n * len] : null;
        float[] adv = grpo ? new float[n] : null;
        float[] entropy = entropyTokens > 0 ? new float[n * len] : null;
        for (int r = 0; r < n; r++) {
            int i = rows[r];
            Sequence s = step.get(i);
            int[] seq = new int[s.length()];
            System.arraycopy(s.prompt(), 0, seq, 0, s.prompt().length);
            System.arraycopy(s.completion(), 0, seq, s.prompt().length, s.completion().length);
            float w = (float) weight.of(i, microTokens, microBatches);
            if (adv != null) {
                adv[r] = (float) s.advantage();
            }
            for (int t = 0; t < len; t++) {
                int at = r * len + t;
                pos[at] = t;
                if (t < seq.length) {
                    ids[at] = seq[t];
                    mask[at] = 1;
                } else {
                    ids[at] = padId;
                }
                targets[at] = t + 1 < seq.length ? seq[t + 1] : padId;
                int k = t + 1 - s.prompt().length; // which completion token position t predicts
                if (k >= 0 && k < kept[i]) {
                    weights[at] = w;
                    if (old != null) {
                        old[at] = (float) s.oldLogp()[k];
                    }
                    if (entropy != null) {
                        entropy[at] = (float) (1.0 / entropyTokens);
                    }
                }
            }
        }
        return new TokenBatch(n, len, ids, mask, pos, targets, weights, old, ref, adv, entropy);
    }
}
