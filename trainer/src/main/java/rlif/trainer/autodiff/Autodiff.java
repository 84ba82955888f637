package rlif.trainer.autodiff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.GraphException;
import rlif.models.graph.Node;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensors;

/**
 * Reverse-mode automatic differentiation on a {@link GraphBuilder}: walks the recorded forward nodes
 * backwards and appends, for each one, the ONNX ops of its vector-Jacobian product ({@link VjpRules}),
 * so the gradients become ordinary values of the same graph that ONNX Runtime computes in one run.
 *
 * <p>Only nodes on a path from a {@code wrt} value to a seeded output are differentiated; integer and
 * boolean values (shapes, indices, masks) never carry gradients.
 */
public final class Autodiff {
    private Autodiff() {}

    /**
     * Appends the backward pass of {@code sum over outputs of <seed, output>} and returns, per {@code wrt}
     * value (by name), the value holding its gradient (zeros when it does not influence any output).
     *
     * @param seeds each seeded output with the upstream gradient of its shape (a graph input, or a constant 1 for a scalar loss)
     */
    public static Map<String, Value> gradients(GraphBuilder g, Map<Value, Value> seeds, List<Value> wrt) {
        List<Node> forward = List.copyOf(g.nodes());
        Set<String> active = new HashSet<>();
        for (Value w : wrt) {
            requireFloat(w);
            active.add(w.name());
        }
        for (Node n : forward) {
            boolean in = n.inputs().stream().anyMatch(v -> active.contains(v.name()));
            if (in) {
                for (Value o : n.outputs()) {
                    if (isFloat(o.dtype())) {
                        active.add(o.name());
                    }
                }
            }
        }
        Map<String, Value> grads = new HashMap<>();
        for (Map.Entry<Value, Value> s : seeds.entrySet()) {
            accumulate(g, grads, s.getKey(), s.getValue());
        }
        VjpRules rules = new VjpRules(g);
        for (int i = forward.size() - 1; i >= 0; i--) {
            Node n = forward.get(i);
            if (n.outputs().size() != 1 || !active.contains(n.output().name())) {
                continue;
            }
            Value upstream = grads.get(n.output().name());
            if (upstream == null) {
                continue;
            }
            boolean[] needs = new boolean[n.inputs().size()];
            for (int k = 0; k < needs.length; k++) {
                needs[k] = active.contains(n.input(k).name());
            }
            List<Value> inputGrads = rules.vjp(n, upstream, needs);
            for (int k = 0; k < needs.length && k < inputGrads.size(); k++) {
                if (needs[k] && inputGrads.get(k) != null) {
                    accumulate(g, grads, n.input(k), inputGrads.get(k));
                }
            }
        }
        Map<String, Value> out = new LinkedHashMap<>();
        for (Value w : wrt) {
            Value gw = grads.get(w.name());
            if (gw == null) {
                gw = g.constantOfShape(g.shape(w), VjpRules.zeroFill(w.dtype()), w.shape());
            }
            out.put(w.name(), gw);
        }
        return out;
    }

    /** Same as {@link #gradients(GraphBuilder, Map, List)} for one scalar loss (seed 1). */
    public static Map<String, Value> gradients(GraphBuilder g, Value scalarLoss, List<Value> wrt) {
        if (scalarLoss.rank() != 0) {
            throw new GraphException("the loss must be a scalar, got " + scalarLoss);
        }
        Map<Value, Value> seeds = new LinkedHashMap<>();
        seeds.put(scalarLoss, g.scalar(1, scalarLoss.dtype()));
        return gradients(g, seeds, new ArrayList<>(wrt));
    }

    private static void accumulate(GraphBuilder g, Map<String, Value> grads, Value of, Value grad) {
        if (!grad.shape().dims().equals(of.shape().dims()) && !compatible(grad, of)) {
            throw new GraphException("gradient " + grad + " does not have the shape of " + of);
        }
        grads.merge(of.name(), grad, g::add);
    }

    private static boolean compatible(Value a, Value b) {
        if (a.rank() != b.rank()) {
            return false;
        }
        for (int i = 0; i < a.rank(); i++) {
            if (!a.dim(i).compatible(b.dim(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isFloat(DType t) {
        return t == DType.F32 || t == DType.F64 || t == DType.F16 || t == DType.BF16;
    }

    private static void requireFloat(Value v) {
        if (!isFloat(v.dtype())) {
            throw new GraphException("cannot differentiate with respect to " + v + ": not a float tensor");
        }
    }
}
