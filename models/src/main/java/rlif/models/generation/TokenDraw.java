package rlif.models.generation;

import java.util.List;
import java.util.Map;
import rlif.models.graph.Attr;
import rlif.models.graph.Dim;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensors;

/**
 * Draws each row's next token inside the graph, by inverse CDF with one uniform number per row: the first
 * candidate whose cumulative weight reaches {@code u * total}. The same rule as the step engine's
 * {@code TokenSampler}: candidates ranked by logit then lower id, top-k first, then the smallest best-first prefix
 * whose mass reaches top-p; the signals never see the truncation.
 *
 * <p>Two branches of one {@code If}, chosen by a run-time flag, so one session serves every setting:
 * <ul>
 *   <li><b>full</b> (no truncation): cumulative sums of {@code exp(logp)} over the vocabulary in float64, so the
 *       boundaries between tokens are exact to ~1e-16 even for 151936 entries;
 *   <li><b>truncated</b>: {@code TopK} with a run-time {@code k} (sorted, ties to the lower index), weights
 *       {@code exp(z - z_best)} of the candidates, the nucleus mask {@code cum_before < p * total}, then the same
 *       draw. Greedy is this branch with {@code k = 1}: the first index of the maximum, as the step engine's argmax.
 * </ul>
 * Operators: If, Exp, Cast, CumSum, Gather, Unsqueeze, Mul, Less, Not, ArgMax, TopK, Sub, Where, GatherElements,
 * Squeeze, Min; every one has CPU and CUDA kernels in ONNX Runtime.
 */
public final class TokenDraw {
    private TokenDraw() {}

    /**
     * The drawn token ids, int64 {@code [batch]}.
     *
     * @param logp  float32 {@code [batch, V]}: {@code log softmax(logits / T)}
     * @param probs float32 {@code [batch, V]}: {@code exp(logp)} (shared with the entropy)
     * @param u     float64 {@code [batch]} in {@code (0, 1)}
     * @param full  bool scalar: draw from the whole distribution (else the truncated branch)
     * @param k     int64 {@code [1]}, {@code 1 <= k <= V}: candidates of the truncated branch
     * @param topP  float32 scalar in {@code (0, 1]}
     */
    public static Value draw(GraphBuilder g, Value logp, Value probs, Value u, Value full, Value k, Value topP) {
        Dim batch = logp.dim(0);
        Value thresholdScale = g.unsqueeze(u, 1); // [batch, 1]

        GraphBuilder whole = g.subgraph("rlif_draw_full");
        Value tokenFull;
        try (var s = whole.scope("rlif/full")) {
            tokenFull = firstReaching(whole, probs.dtype() == DType.F64 ? probs : whole.cast(probs, DType.F64), thresholdScale);
        }
        whole.output(tokenFull.name(), tokenFull);

        GraphBuilder top = g.subgraph("rlif_draw_truncated");
        Value tokenTop;
        try (var s = top.scope("rlif/truncated")) {
            List<Value> best = top.op("TopK", List.of(logp, k),
                    Map.of("axis", new Attr.Int(-1), "largest", new Attr.Int(1), "sorted", new Attr.Int(1)),
                    List.of(new Value("v", logp.dtype(), Shape.of(batch, Dim.UNKNOWN)),
                            new Value("i", DType.I64, Shape.of(batch, Dim.UNKNOWN))));
            Value values = best.get(0);
            Value ids = best.get(1);
            Value w = top.exp(top.sub(values, top.slice(values, 1, 0, 1)));
            w = w.dtype() == DType.F64 ? w : top.cast(w, DType.F64);
            Value cum = cumsum(top, w);
            Value total = top.slice(cum, 1, -1, Long.MAX_VALUE); // [batch, 1]
            Value nucleus = top.mul(topP, total);
            Value kept = top.where(top.less(top.sub(cum, w), nucleus), w, top.constant(Tensors.scalar(0, DType.F64)));
            Value rank = firstReaching(top, kept, thresholdScale);
            tokenTop = top.squeeze(top.gatherElements(ids, top.unsqueeze(rank, 1), 1), 1);
        }
        top.output(tokenTop.name(), tokenTop);

        return g.op("If", List.of(full), Map.of("then_branch", new Attr.Graph(whole), "else_branch", new Attr.Graph(top)),
                List.of(new Value("token", DType.I64, Shape.of(batch)))).getFirst();
    }

    /**
     * The first column whose cumulative weight reaches {@code u * total}, int64 {@code [batch]}. A column of zero
     * weight is never first: the column before it reaches the same sum. {@code u < 1}, so some column does.
     */
    private static Value firstReaching(GraphBuilder g, Value weights, Value u) {
        Value cum = cumsum(g, weights);
        Value target = g.mul(u, g.slice(cum, 1, -1, Long.MAX_VALUE));
        Value reached = g.cast(g.not(g.less(cum, target)), DType.F32);
        return g.op("ArgMax", List.of(reached), Map.of("axis", new Attr.Int(1), "keepdims", new Attr.Int(0),
                "select_last_index", new Attr.Int(0)), List.of(new Value("i", DType.I64, Shape.of(weights.dim(0))))).getFirst();
    }

    private static Value cumsum(GraphBuilder g, Value x) {
        return g.op("CumSum", List.of(x, g.int64(1)), Map.of(), List.of(new Value("c", x.dtype(), x.shape()))).getFirst();
    }
}
