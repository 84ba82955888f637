package rlif.trainer.objective;

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
 * positions, and the averaging weight elsewhere ({@code 1 / tokens} for token-level averaging,
 * {@code 1 / (n_i * rows)} for sequence-level), so one graph serves both averagings and any batch.
 */
public final class LossHeads {
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
     * The GRPO loss of {@link rlif.trainer.grpo.GrpoObjective}, in graph ops:
     * {@code sum(w * (-min(r A, clip(r) A) + klCoef k3 - entropyCoef H))}.
     *
     * @param advantages {@code [batch, 1]}
     * @param refLogp may be null when {@code klCoef == 0}
     * @param entropy may be null when {@code entropyCoef == 0}
     */
    public static Value grpoLoss(GraphBuilder g, GrpoSettings s, Value logp, Value oldLogp, Value refLogp,
            Value advantages, Value weights, Value entropy) {
        var t = logp.dtype();
        Value ratio = g.exp(g.sub(logp, oldLogp));
        Value clipped = min(g, g.max(ratio, g.scalar(1 - s.clipEpsilon(), t)), g.scalar(1 + s.clipEpsilon(), t));
        Value surrogate = min(g, g.mul(ratio, advantages), g.mul(clipped, advantages));
        Value perToken = g.neg(surrogate);
        if (s.klCoef() > 0) {
            Value diff = g.sub(refLogp, logp);
            Value k3 = g.sub(g.sub(g.exp(diff), diff), g.scalar(1, t));
            perToken = g.add(perToken, g.mul(k3, g.scalar(s.klCoef(), t)));
        }
        if (s.entropyCoef() > 0) {
            perToken = g.sub(perToken, g.mul(entropy, g.scalar(s.entropyCoef(), t)));
        }
        return g.reduceSum(g.mul(perToken, weights), false, 0, 1);
    }

    /** {@code min(a, b) = -max(-a, -b)}: the builder's Max (and its gradient rule) serve both. */
    private static Value min(GraphBuilder g, Value a, Value b) {
        return g.neg(g.max(g.neg(a), g.neg(b)));
    }
}
