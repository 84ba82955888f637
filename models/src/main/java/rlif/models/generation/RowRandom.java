package rlif.models.generation;

import java.util.SplittableRandom;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensors;

/**
 * One stream of uniform numbers per batch row, carried through the generation loop as an int64 {@code [batch, 2]}
 * state: L'Ecuyer's combined multiplicative congruential generator (CACM 31(6), 1988; period about 2.3e18).
 *
 * <p>Why not ONNX {@code RandomUniformLike}: its seed is an attribute and its generator state lives in the kernel,
 * advancing from one {@code run} to the next, so a seed reproduces a run only in a fresh session, and a row's draws
 * depend on its position in the batch. Here the state is data: a row's draws depend only on its own seed and the
 * step, so a seed reproduces its rollout in any batch and any session. The arithmetic is int64 {@code Mul}, {@code Div},
 * {@code Sub}, {@code Add}, {@code Less}, {@code Where} (every product stays below {@code 2^47}), all of which ONNX
 * Runtime runs on the CPU and on CUDA; {@link #next(long[])} is the same step in Java.
 */
public final class RowRandom {
    static final long M1 = 2_147_483_563L;
    static final long A1 = 40_014L;
    static final long M2 = 2_147_483_399L;
    static final long A2 = 40_692L;

    private RowRandom() {}

    /** The state a row starts from: both components drawn from {@code SplittableRandom(seed)}, each in {@code [1, m - 1]}. */
    public static long[] initialState(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return new long[] {1 + r.nextLong(M1 - 1), 1 + r.nextLong(M2 - 1)};
    }

    /** Advances {@code state} in place and returns the next uniform number in {@code (0, 1)}, as the graph does. */
    public static double next(long[] state) {
        state[0] = A1 * state[0] % M1;
        state[1] = A2 * state[1] % M2;
        long z = state[0] - state[1];
        if (z < 1) {
            z += M1 - 1;
        }
        return z * (1.0 / M1);
    }

    /** One in-graph step: the uniform number {@code u} (float64 {@code [batch]}) and the next state. */
    public record Step(Value u, Value state) {}

    /** {@link #next(long[])} for every row of {@code state} (int64 {@code [batch, 2]}). */
    static Step next(GraphBuilder g, Value state) {
        Value s1 = congruence(g, g.gather(state, g.int64(0), 1), A1, M1);
        Value s2 = congruence(g, g.gather(state, g.int64(1), 1), A2, M2);
        Value z = g.sub(s1, s2);
        z = g.where(g.less(z, g.int64(1)), g.add(z, g.int64(M1 - 1)), z);
        Value u = g.mul(g.cast(z, DType.F64), g.constant(Tensors.scalar(1.0 / M1, DType.F64)));
        Value next = g.concat(1, g.unsqueeze(s1, 1), g.unsqueeze(s2, 1));
        return new Step(u, next);
    }

    /** {@code a * s mod m} for {@code 0 < s < m}: the product is below {@code 2^47}, and {@code Div} truncates. */
    private static Value congruence(GraphBuilder g, Value s, long a, long m) {
        Value x = g.mul(s, g.int64(a));
        return g.sub(x, g.mul(g.div(x, g.int64(m)), g.int64(m)));
    }
}
