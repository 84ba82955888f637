package rlif.trainer.objective;

import java.util.Map;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.GraphSignals;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.trainer.grpo.GrpoSettings;

/**
 * The ops a training graph puts on top of a decoder's logits: per-token log-probs of given targets and
 * per-token entropies (DESIGN section 5, at a temperature), and the SFT and GRPO losses over them.
 *
 * <p>Token weights come in as a {@code [batch, seq]} input computed in Java: zero on prompt and padding
 * positions, and elsewhere the token's share of the whole optimiser step's loss (its loss type's normaliser,
 * taken over every micro-batch of the step), so one graph serves every loss type and any micro-batch, and
 * gradients summed over micro-batches are the step's gradient.
 */
public final class LossHeads {
    /** Names of the statistics {@link #grpoStatistics} outputs (sums over the completion tokens of the batch). */
    public static final String ENTROPY_SUM = "stats.entropy_sum";
    public static final String KL_SUM = "stats.kl_sum";
    public static final String CLIP_LOW = "stats.clip_low";
    public static final String CLIP_HIGH = "stats.clip_high";

    private LossHeads() {}

    /** {@code log softmax(logits / T)} at the target ids: {@code [batch, seq]}; targets int64 {@code [batch, seq]}. */
    public static Value tokenLogprobs(GraphBuilder g, Value logSoftmax, Value targets) {
        return GraphSignals.tokenLogprob(g, logSoftmax, targets);
    }

    /** Log-softmax of the logits divided by the temperature (1 leaves them as they are), as scoring computes it. */
    public static Value logSoftmax(GraphBuilder g, Value logits, double temperature) {
        return GraphSignals.logSoftmax(g, GraphSignals.scaled(g, logits, temperature));
    }

    /**
     * Per-token entropy {@code -sum_j p_j log p_j} from a log-softmax: {@code [batch, seq]}. Summed in float32:
     * it only feeds the entropy term's gradient, where a double copy of {@code [batch, seq, vocab]} would cost
     * training memory for no visible gain.
     */
    public static Value tokenEntropy(GraphBuilder g, Value logSoftmax) {
        return GraphSignals.entropy(g, logSoftmax, DType.F32);
    }

    /** Cross-entropy: {@code -sum(weights * logp)}; with weights mask/count it is the mean target NLL. */
    public static Value sftLoss(GraphBuilder g, Value logp, Value weights) {
        return g.neg(g.reduceSum(g.mul(logp, weights), false, 0, 1));
    }

    /**
     * The GRPO loss in graph ops, as TRL's {@code GRPOTrainer} defines it:
     * {@code sum(w * (-min(r A, clip(r, 1 - eps_low, 1 + eps_high) A) + beta k3)) - entropy_coef sum(w_H H)} with
     * {@code r = exp(logp - old_logp)} and {@code k3 = exp(ref - logp) - (ref - logp) - 1}. The token weights
     * {@code w} carry the {@link rlif.trainer.grpo.LossType}'s normalisation; {@code w_H} is {@code 1 / tokens}
     * of the step on every completion token, so the bonus is the mean token entropy whatever the loss type.
     *
     * @param advantages {@code [batch, 1]}
     * @param refLogp may be null when {@code beta == 0}
     * @param entropy, entropyWeights may be null when {@code entropyCoef == 0}
     */
    public static Value grpoLoss(GraphBuilder g, GrpoSettings s, Value logp, Value oldLogp, Value refLogp,
            Value advantages, Value weights, Value entropy, Value entropyWeights) {
        var t = logp.dtype();
        Value ratio = g.exp(g.sub(logp, oldLogp));
        Value clipped = min(g, g.max(ratio, g.scalar(1 - s.epsilonLow(), t)), g.scalar(1 + s.epsilonHigh(), t));
        Value surrogate = min(g, g.mul(ratio, advantages), g.mul(clipped, advantages));
        Value perToken = g.neg(surrogate);
        if (s.beta() > 0) {
            perToken = g.add(perToken, g.mul(k3(g, logp, refLogp), g.scalar(s.beta(), t)));
        }
        Value loss = g.reduceSum(g.mul(perToken, weights), false, 0, 1);
        if (s.entropyCoef() > 0) {
            Value bonus = g.reduceSum(g.mul(entropy, entropyWeights), false, 0, 1);
            loss = g.sub(loss, g.mul(bonus, g.scalar(s.entropyCoef(), t)));
        }
        return loss;
    }

    /** The k3 estimator of KL(policy || reference) per token: {@code exp(ref - logp) - (ref - logp) - 1}. */
    private static Value k3(GraphBuilder g, Value logp, Value refLogp) {
        Value diff = g.sub(refLogp, logp);
        return g.sub(g.sub(g.exp(diff), diff), g.scalar(1, logp.dtype()));
    }

    /**
     * What TRL logs about a GRPO batch, as sums over its completion tokens (positions of non-zero weight), so
     * micro-batches add up: token entropy, k3 KL (when {@code beta > 0}), and the tokens clipped below
     * ({@code r < 1 - eps_low} with {@code A < 0}) and above ({@code r > 1 + eps_high} with {@code A > 0}), the
     * only ones whose ratio gradient the clip removes. Nothing here reaches the loss or its gradient.
     */
    public static Map<String, Value> grpoStatistics(GraphBuilder g, GrpoSettings s, Value logp, Value oldLogp,
            Value refLogp, Value advantages, Value weights, Value entropy) {
        var t = logp.dtype();
        Value zero = g.scalar(0, t);
        Value mask = g.cast(g.greater(weights, zero), t);
        Value ratio = g.exp(g.sub(logp, oldLogp));
        Value low = g.and(g.less(ratio, g.scalar(1 - s.epsilonLow(), t)), g.less(advantages, zero));
        Value high = g.and(g.greater(ratio, g.scalar(1 + s.epsilonHigh(), t)), g.greater(advantages, zero));
        Map<String, Value> out = new java.util.LinkedHashMap<>();
        out.put(ENTROPY_SUM, maskedSum(g, entropy, mask));
        if (s.beta() > 0) {
            out.put(KL_SUM, maskedSum(g, k3(g, logp, refLogp), mask));
        }
        out.put(CLIP_LOW, maskedSum(g, g.cast(low, t), mask));
        out.put(CLIP_HIGH, maskedSum(g, g.cast(high, t), mask));
        return out;
    }

    /** The sum of token entropies over positions of non-zero weight (SFT's {@code entropy}). */
    public static Value entropySum(GraphBuilder g, Value entropy, Value weights) {
        var t = entropy.dtype();
        return maskedSum(g, entropy, g.cast(g.greater(weights, g.scalar(0, t)), t));
    }

    private static Value maskedSum(GraphBuilder g, Value x, Value mask) {
        return g.reduceSum(g.mul(x, mask), false, 0, 1);
    }

    /** {@code min(a, b) = -max(-a, -b)}: the builder's Max (and its gradient rule) serve both. */
    private static Value min(GraphBuilder g, Value a, Value b) {
        return g.neg(g.max(g.neg(a), g.neg(b)));
    }
}
