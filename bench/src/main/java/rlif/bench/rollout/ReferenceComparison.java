package rlif.bench.rollout;

import java.util.Arrays;
import java.util.List;
import rlif.evaluator.rollout.Rollout;

/**
 * How a model's greedy rollouts compare with a reference model's on the same prompts (a quantized import against the
 * float import it was made from): how many rows generate the same tokens, where the others first differ, and on every
 * token both generated from the same context (each row's common prefix) the largest and mean differences of the
 * per-token signals.
 *
 * @param rows              rows compared
 * @param identicalRows     rows whose whole completions are equal
 * @param firstDivergence   per row, the index of the first differing token, or the completion length when equal
 * @param comparedTokens    tokens in the common prefixes
 * @param maxEntropy        largest |difference| of token entropy over the common prefixes (nats)
 * @param meanEntropy       mean |difference| of token entropy
 * @param maxSelfCertainty  largest |difference| of self-certainty
 * @param meanSelfCertainty mean |difference| of self-certainty
 * @param maxLogprob        largest |difference| of the chosen token's log-probability (where both chose it)
 * @param meanLogprob       mean |difference| of the chosen token's log-probability (where both chose it)
 */
public record ReferenceComparison(int rows, int identicalRows, int[] firstDivergence, long comparedTokens,
        double maxEntropy, double meanEntropy, double maxSelfCertainty, double meanSelfCertainty, double maxLogprob,
        double meanLogprob) {

    public static ReferenceComparison of(List<Rollout> model, List<Rollout> reference) {
        if (model.size() != reference.size()) {
            throw new IllegalArgumentException(model.size() + " rollouts against " + reference.size());
        }
        int[] first = new int[model.size()];
        int identical = 0;
        long n = 0;
        long sameTokens = 0;
        double[] max = new double[3];
        double[] sum = new double[3];
        for (int r = 0; r < model.size(); r++) {
            Rollout a = model.get(r);
            Rollout b = reference.get(r);
            int common = Math.min(a.numTokens(), b.numTokens());
            int k = 0;
            // Token k's signals come from the context before it, equal while the tokens before k agree; token k
            // itself may differ (that is the divergence), so it is compared, and the ones after it are not.
            for (; k < common; k++) {
                double[] d = {
                    Math.abs(a.tokenEntropies()[k] - b.tokenEntropies()[k]),
                    Math.abs(a.tokenSelfCertainties()[k] - b.tokenSelfCertainties()[k]),
                    a.completionIds()[k] == b.completionIds()[k] ? Math.abs(a.tokenLogprobs()[k] - b.tokenLogprobs()[k]) : 0};
                for (int i = 0; i < 3; i++) {
                    max[i] = Math.max(max[i], d[i]);
                    sum[i] += d[i];
                }
                n++;
                if (a.completionIds()[k] != b.completionIds()[k]) {
                    break;
                }
                sameTokens++;
            }
            first[r] = k;
            if (Arrays.equals(a.completionIds(), b.completionIds())) {
                identical++;
            }
        }
        double m = Math.max(1, n);
        return new ReferenceComparison(model.size(), identical, first, n, max[0], sum[0] / m, max[1], sum[1] / m,
                max[2], sum[2] / Math.max(1, sameTokens));
    }
}
