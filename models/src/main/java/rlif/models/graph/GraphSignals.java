package rlif.models.graph;

import java.util.List;
import rlif.models.tensor.DType;

/**
 * The internal-feedback signals of docs/signals.md computed from logits inside a graph, so that
 * {@code [..., vocab]} logits never have to leave ONNX Runtime: only the per-position values do.
 *
 * <p>{@link #of} follows the kernels' one-pass formulation. With {@code x} the logits (float16 widened to
 * float32), {@code d = (x - max_j x_j) / T}, {@code m = max_j x_j / T} and the sums {@code s = sum_j exp(d_j)},
 * {@code t = sum_j exp(d_j) d_j}, {@code u = mean_j d_j = (mean_j x_j - max_j x_j) / T} taken in double:
 * <ul>
 *   <li>logsumexp {@code = m + log s};
 *   <li>entropy {@code H = log s - t / s};
 *   <li>self-certainty {@code S = KL(U || p) = log s - u - log V} ({@code = logsumexp - mean_j z_j - log V});
 *   <li>token log-prob {@code l = (x[id] - max_j x_j) / T - log s}, {@code x[id]} picked by {@code GatherElements}
 *       and the rest in double.
 * </ul>
 * The outputs are double: the per-token values the engine accumulates in double anyway. Only operators
 * ONNX Runtime has CUDA kernels for are used (Cast, ReduceMax, Sub, Div, Exp, Mul, ReduceSum, ReduceMean,
 * Log, Add, Unsqueeze, GatherElements, Squeeze), so the same graph serves a GPU.
 *
 * <p>Why not {@code LogSoftmax}: ONNX Runtime's CPU LogSoftmax sums its exponentials with a fast
 * approximation whose error is biased; on SmolLM2's logits (vocabulary 49152) its normaliser was off by
 * 1.4e-5, and its float32 ReduceSum/ReduceMean add long rows with few partial sums (3e-5 to 8e-5 relative
 * over 49152 equal terms). The Exp op and double sums bring both to about 1e-8.
 *
 * <p>Boundary cases follow docs/signals.md (all-equal rows: {@code H = log V}, {@code S = 0}; {@code -inf}
 * entries: {@code S = +inf}; {@code V = 1}: all zero) except one: a {@code -inf} logit makes
 * {@code exp(d) d = 0 * -inf}, so the entropy of such a row is NaN here where the kernels give the finite
 * value. Decoders do not emit {@code -inf} logits.
 *
 * <p>The trainer's loss heads differentiate through {@link #logSoftmax}, {@link #entropy(GraphBuilder, Value, DType)}
 * and {@link #tokenLogprob}: the same definitions written over a log-softmax, whose gradient rule is one op.
 */
public final class GraphSignals {
    /** The names a graph gives its per-position signal outputs, in {@link PerPosition} order. */
    public static final List<String> OUTPUTS = List.of("logsumexp", "entropy", "self_certainty", "token_logprob");

    private GraphSignals() {}

    /**
     * The per-position signals, each double of the logits' shape without the vocabulary axis.
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
     * Every signal of {@code logits} {@code [..., V]} at {@code temperature} (a float32 or float64 scalar: a
     * constant or a graph input; float64 keeps {@code T} exact where the per-position values are divided by it),
     * and the log-prob of {@code ids} {@code [...]} (int64 or int32; may be null).
     */
    public static PerPosition of(GraphBuilder g, Value logits, Value temperature, Value ids) {
        checkTemperature(temperature);
        Value x = widened(g, logits);
        Value t = temperature.dtype() == x.dtype() ? temperature : g.cast(temperature, x.dtype());
        return reduce(g, x, t, f64(g, temperature), ids);
    }

    /** {@link #of(GraphBuilder, Value, Value, Value)} at a fixed temperature. */
    public static PerPosition of(GraphBuilder g, Value logits, double temperature, Value ids) {
        checkTemperature(temperature);
        Value x = widened(g, logits);
        return temperature == 1.0 ? reduce(g, x, null, null, ids)
                : reduce(g, x, g.scalar(temperature, x.dtype()), g.scalar(temperature, DType.F64), ids);
    }

    /**
     * The reduction of {@code x} at a temperature given as a scalar of x's type {@code t} and as a double
     * {@code t64} (both null for 1). Like the kernels, it subtracts the maximum before dividing by {@code T},
     * so the differences that decide the probabilities are exact where they matter (near the maximum)
     * instead of carrying the rounding of {@code x / T}; what is done per position is done in double.
     */
    private static PerPosition reduce(GraphBuilder g, Value x, Value t, Value t64, Value ids) {
        Dim vocab = x.dim(-1);
        if (!vocab.isStatic()) {
            throw new GraphException("self-certainty needs a static vocabulary size, got " + x);
        }
        if (ids != null && ids.rank() != x.rank() - 1) {
            throw new GraphException("ids " + ids + " must have the shape of " + x + " without its last axis");
        }
        Value mx = g.reduceMax(x, true, -1);
        Value d = t == null ? g.sub(x, mx) : g.div(g.sub(x, mx), t);
        Value e = g.exp(d);
        Value s = g.reduceSum(f64(g, e), true, -1);
        Value sumED = g.reduceSum(f64(g, g.mul(e, d)), true, -1);
        Value meanD = perT(g, g.sub(g.reduceMean(f64(g, x), true, -1), f64(g, mx)), t64); // from x itself, in double
        Value logS = g.log(s);
        Value lse = g.add(perT(g, f64(g, mx), t64), logS);
        Value entropy = g.sub(logS, g.div(sumED, s));
        Value certainty = g.sub(g.sub(logS, meanD), g.scalar(Math.log(vocab.size()), DType.F64));
        Value logprob = null;
        if (ids != null) {
            // x[id] is picked from the logits themselves and the rest done in double, as the engine does
            Value xAtId = f64(g, g.gatherElements(x, g.unsqueeze(ids, -1), -1));
            logprob = g.squeeze(g.sub(perT(g, g.sub(xAtId, f64(g, mx)), t64), logS), -1);
        }
        return new PerPosition(g.squeeze(lse, -1), g.squeeze(entropy, -1), g.squeeze(certainty, -1), logprob);
    }

    /** A double value divided by the double temperature {@code t64} (null for 1). */
    private static Value perT(GraphBuilder g, Value v, Value t64) {
        return t64 == null ? v : g.div(v, t64);
    }

    private static void checkTemperature(Value temperature) {
        if ((temperature.dtype() != DType.F32 && temperature.dtype() != DType.F64) || temperature.rank() != 0) {
            throw new GraphException("temperature " + temperature + " must be a float32 or float64 scalar");
        }
    }

    private static void checkTemperature(double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new GraphException("temperature must be positive and finite, got " + temperature);
        }
    }

    /**
     * {@code logits / T}: float16 and bfloat16 logits in float32, float32 and float64 (the trainer's gradient
     * checks) as they are; {@code temperature} a float32 or float64 scalar.
     */
    public static Value scaled(GraphBuilder g, Value logits, Value temperature) {
        checkTemperature(temperature);
        Value z = widened(g, logits);
        return g.div(z, temperature.dtype() == z.dtype() ? temperature : g.cast(temperature, z.dtype()));
    }

    /** {@code logits / T} at a fixed temperature (types as above); no division at {@code T = 1}. */
    public static Value scaled(GraphBuilder g, Value logits, double temperature) {
        checkTemperature(temperature);
        Value z = widened(g, logits);
        return temperature == 1.0 ? z : g.div(z, g.scalar(temperature, z.dtype()));
    }

    /** {@code log softmax(z)} over the last axis (the trainer's differentiable form). */
    public static Value logSoftmax(GraphBuilder g, Value z) {
        return g.logSoftmax(z, -1);
    }

    /**
     * {@code H = -sum_j p_j log p_j} from a log-softmax, the sum over the vocabulary taken in {@code sumType}
     * (F32 or F64); the result has logp's type.
     */
    public static Value entropy(GraphBuilder g, Value logp, DType sumType) {
        if (sumType != DType.F32 && sumType != DType.F64) {
            throw new GraphException("sums are taken in F32 or F64, not " + sumType);
        }
        Value terms = g.mul(g.exp(logp), logp);
        Value sum = g.reduceSum(terms.dtype() == sumType || terms.dtype() == DType.F64 ? terms : g.cast(terms, sumType), false, -1);
        return g.neg(sum.dtype() == logp.dtype() ? sum : g.cast(sum, logp.dtype()));
    }

    /** {@code logp[..., ids[...]]}: the log-prob of one given id per position ({@code ids} has logp's shape minus the last axis). */
    public static Value tokenLogprob(GraphBuilder g, Value logp, Value ids) {
        if (ids.rank() != logp.rank() - 1) {
            throw new GraphException("ids " + ids + " must have the shape of " + logp + " without its last axis");
        }
        return g.squeeze(g.gatherElements(logp, g.unsqueeze(ids, -1), -1), -1);
    }

    private static Value f64(GraphBuilder g, Value x) {
        return x.dtype() == DType.F64 ? x : g.cast(x, DType.F64);
    }

    private static Value widened(GraphBuilder g, Value x) {
        return switch (x.dtype()) {
            case F32, F64 -> x;
            case F16, BF16 -> g.cast(x, DType.F32);
            default -> throw new GraphException("logits " + x + " must be float16, bfloat16, float32 or float64");
        };
    }
}
