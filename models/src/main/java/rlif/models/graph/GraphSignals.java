package rlif.models.graph;

import java.util.List;
import rlif.models.tensor.DType;

/**
 * The internal-feedback signals of docs/signals.md computed from logits inside a graph, so that
 * {@code [..., vocab]} logits never have to leave ONNX Runtime: only the per-position values do.
 *
 * <p>With {@code z = logits / T} (float32 for float16 and float32 logits) and {@code logp = LogSoftmax(z)} over
 * the last axis, every signal is one more reduction of {@code logp}:
 * <ul>
 *   <li>logsumexp {@code = max_j z_j - max_j logp_j} (ORT's LogSoftmax subtracts the maximum first, so
 *       {@code max_j logp_j} is exactly {@code -log sum_j exp(z_j - max z)});
 *   <li>entropy {@code H = -sum_j exp(logp_j) logp_j};
 *   <li>self-certainty {@code S = KL(U || p) = -mean_j logp_j - log V} (the same as
 *       {@code logsumexp - mean_j z_j - log V});
 *   <li>token log-prob {@code l = logp[id]} by {@code GatherElements}.
 * </ul>
 * Only operators ONNX Runtime has CUDA kernels for are used (Cast, Div, LogSoftmax, ReduceMax, Exp, Mul,
 * ReduceSum, ReduceMean, Neg, Sub, Unsqueeze, GatherElements, Squeeze), so the same graph serves a GPU.
 *
 * <p>Boundary cases follow docs/signals.md (all-equal rows: {@code H = log V}, {@code S = 0}; {@code -inf}
 * entries: {@code S = +inf}) except one: a {@code -inf} logit makes {@code exp(logp) * logp = 0 * -inf}, so
 * the entropy of such a row is NaN here where the kernels give the finite value. Decoders do not emit
 * {@code -inf} logits; callers treat a non-finite signal as a non-finite row.
 *
 * <p>The trainer's loss heads use the same {@link #logSoftmax}, {@link #entropy} and {@link #tokenLogprob},
 * so training and scoring share one rule per signal.
 */
public final class GraphSignals {
    /** The names a graph gives its per-position signal outputs, in {@link PerPosition} order. */
    public static final List<String> OUTPUTS = List.of("logsumexp", "entropy", "self_certainty", "token_logprob");

    /**
     * The type the sums over the vocabulary are taken in. ONNX Runtime's float32 ReduceSum and ReduceMean add
     * long rows with few partial sums: over 49152 equal terms they are off by 3e-5 (entropy) to 8e-5
     * (mean log-prob) relative, above what the signal kernels allow. Summing a double copy costs one cast of
     * the row and keeps the error at the float32 terms' own rounding.
     */
    public static final DType SUM_TYPE = DType.F64;

    private GraphSignals() {}

    /**
     * The per-position signals, each float32 of the logits' shape without the vocabulary axis.
     *
     * @param tokenLogprob null when no ids were given
     */
    public record PerPosition(Value logsumexp, Value entropy, Value selfCertainty, Value tokenLogprob) {
        /** Declares the values as graph outputs named {@link #OUTPUTS} (the token log-prob when present). */
        public void declareOutputs(GraphBuilder g) {
            g.output(OUTPUTS.get(0), logsumexp);
            g.output(OUTPUTS.get(1), entropy);
            g.output(OUTPUTS.get(2), selfCertainty);
            if (tokenLogprob != null) {
                g.output(OUTPUTS.get(3), tokenLogprob);
            }
        }
    }

    /**
     * Every signal of {@code logits} {@code [..., V]} at {@code temperature} (a float32 scalar value: a
     * constant or a graph input), and the log-prob of {@code ids} {@code [...]} (int64 or int32; may be null).
     */
    public static PerPosition of(GraphBuilder g, Value logits, Value temperature, Value ids) {
        return reduce(g, scaled(g, logits, temperature), ids);
    }

    /** {@link #of(GraphBuilder, Value, Value, Value)} at a fixed temperature. */
    public static PerPosition of(GraphBuilder g, Value logits, double temperature, Value ids) {
        return reduce(g, scaled(g, logits, temperature), ids);
    }

    private static PerPosition reduce(GraphBuilder g, Value z, Value ids) {
        Value logp = logSoftmax(g, z);
        return new PerPosition(logsumexp(g, z, logp), entropy(g, logp), selfCertainty(g, logp),
                ids == null ? null : tokenLogprob(g, logp, ids));
    }

    /**
     * {@code logits / T}: float16 and bfloat16 logits in float32, float32 and float64 (the trainer's gradient
     * checks) as they are; {@code temperature} a float32 scalar.
     */
    public static Value scaled(GraphBuilder g, Value logits, Value temperature) {
        if (temperature.dtype() != DType.F32 || temperature.rank() != 0) {
            throw new GraphException("temperature " + temperature + " must be a float32 scalar");
        }
        Value z = widened(g, logits);
        return g.div(z, z.dtype() == DType.F32 ? temperature : g.cast(temperature, z.dtype()));
    }

    /** {@code logits / T} at a fixed temperature (types as above); no division at {@code T = 1}. */
    public static Value scaled(GraphBuilder g, Value logits, double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new GraphException("temperature must be positive and finite, got " + temperature);
        }
        Value z = widened(g, logits);
        return temperature == 1.0 ? z : g.div(z, g.scalar(temperature, z.dtype()));
    }

    /** {@code log softmax(z)} over the last axis. */
    public static Value logSoftmax(GraphBuilder g, Value z) {
        return g.logSoftmax(z, -1);
    }

    /** {@code log sum_j exp(z_j) = max_j z_j - max_j logp_j}, two reductions and no second exponential pass. */
    public static Value logsumexp(GraphBuilder g, Value z, Value logp) {
        return g.sub(g.reduceMax(z, false, -1), g.reduceMax(logp, false, -1));
    }

    /** {@code H = -sum_j p_j log p_j} from a log-softmax, summed in double (see {@link #SUM_TYPE}). */
    public static Value entropy(GraphBuilder g, Value logp) {
        return entropy(g, logp, SUM_TYPE);
    }

    /**
     * {@code H = -sum_j p_j log p_j} with the sum over the vocabulary taken in {@code sumType} (F32 or F64);
     * the result has logp's type.
     */
    public static Value entropy(GraphBuilder g, Value logp, DType sumType) {
        Value terms = g.mul(g.exp(logp), logp);
        return g.neg(fromSum(g, g.reduceSum(toSum(g, terms, sumType), false, -1), logp.dtype()));
    }

    /** {@code S = KL(U || p) = -mean_j log p_j - log V}; the vocabulary axis must have a static size. */
    public static Value selfCertainty(GraphBuilder g, Value logp) {
        Dim vocab = logp.dim(-1);
        if (!vocab.isStatic()) {
            throw new GraphException("self-certainty needs a static vocabulary size, got " + logp);
        }
        Value meanLogp = fromSum(g, g.reduceMean(toSum(g, logp, SUM_TYPE), false, -1), logp.dtype());
        return g.sub(g.neg(meanLogp), g.scalar(Math.log(vocab.size()), logp.dtype()));
    }

    /** {@code logp[..., ids[...]]}: the log-prob of one given id per position ({@code ids} has logp's shape minus the last axis). */
    public static Value tokenLogprob(GraphBuilder g, Value logp, Value ids) {
        if (ids.rank() != logp.rank() - 1) {
            throw new GraphException("ids " + ids + " must have the shape of " + logp + " without its last axis");
        }
        Value picked = g.gatherElements(logp, g.unsqueeze(ids, -1), -1);
        return g.squeeze(picked, -1);
    }

    private static Value toSum(GraphBuilder g, Value x, DType sumType) {
        if (sumType != DType.F32 && sumType != DType.F64) {
            throw new GraphException("sums are taken in F32 or F64, not " + sumType);
        }
        return x.dtype() == sumType || x.dtype() == DType.F64 ? x : g.cast(x, sumType);
    }

    private static Value fromSum(GraphBuilder g, Value sum, DType to) {
        return sum.dtype() == to ? sum : g.cast(sum, to);
    }

    private static Value widened(GraphBuilder g, Value x) {
        return switch (x.dtype()) {
            case F32, F64 -> x;
            case F16, BF16 -> g.cast(x, DType.F32);
            default -> throw new GraphException("logits " + x + " must be float16, bfloat16, float32 or float64");
        };
    }
}
