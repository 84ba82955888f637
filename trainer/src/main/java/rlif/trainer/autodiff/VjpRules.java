package rlif.trainer.autodiff;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.models.graph.Attr;
import rlif.models.graph.Dim;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.GraphException;
import rlif.models.graph.Node;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;
import rlif.models.tensor.Tensors;

/**
 * One vector-Jacobian product per ONNX operator: given a forward node and the gradient of its output,
 * appends the ops that compute the gradient of each input that needs one. Each rule is local and short;
 * broadcasting is undone by {@link #unbroadcast(Value, Value)} (sum over the broadcast axes).
 */
final class VjpRules {
    private final GraphBuilder g;

    VjpRules(GraphBuilder g) {
        this.g = g;
    }

    /** Input gradients in input order; null where {@code needs} is false or the input is not differentiable. */
    List<Value> vjp(Node n, Value gy, boolean[] needs) {
        Value y = n.output();
        List<Value> in = n.inputs();
        Value x = in.getFirst();
        return switch (n.opType()) {
            case "Identity" -> grads(gy);
            case "Add" -> pair(needs, () -> unbroadcast(gy, in.get(0)), () -> unbroadcast(gy, in.get(1)));
            case "Sub" -> pair(needs, () -> unbroadcast(gy, in.get(0)), () -> unbroadcast(g.neg(gy), in.get(1)));
            case "Mul" -> pair(needs, () -> unbroadcast(g.mul(gy, in.get(1)), in.get(0)),
                    () -> unbroadcast(g.mul(gy, in.get(0)), in.get(1)));
            case "Div" -> pair(needs, () -> unbroadcast(g.div(gy, in.get(1)), in.get(0)),
                    () -> unbroadcast(g.neg(g.div(g.mul(gy, y), in.get(1))), in.get(1)));
            case "Pow" -> pair(needs,
                    () -> unbroadcast(g.mul(g.mul(gy, in.get(1)), g.pow(x, g.sub(in.get(1), one(x)))), x),
                    () -> unbroadcast(g.mul(g.mul(gy, y), g.log(x)), in.get(1)));
            case "Max" -> {
                Value aWins = g.lessOrEqual(in.get(1), x);
                yield pair(needs, () -> unbroadcast(g.where(aWins, gy, zero(gy)), x),
                        () -> unbroadcast(g.where(aWins, zero(gy), gy), in.get(1)));
            }
            case "Where" -> {
                Value cond = in.get(0);
                yield grads(null, needs[1] ? unbroadcast(g.where(cond, gy, zero(gy)), in.get(1)) : null,
                        needs[2] ? unbroadcast(g.where(cond, zero(gy), gy), in.get(2)) : null);
            }
            case "Neg" -> grads(g.neg(gy));
            case "Exp" -> grads(g.mul(gy, y));
            case "Log" -> grads(g.div(gy, x));
            case "Sqrt" -> grads(g.div(g.mul(gy, g.scalar(0.5, x.dtype())), y));
            case "Reciprocal" -> grads(g.neg(g.mul(gy, g.mul(y, y))));
            case "Sigmoid" -> grads(g.mul(gy, g.mul(y, g.sub(one(y), y))));
            case "Tanh" -> grads(g.mul(gy, g.sub(one(y), g.mul(y, y))));
            case "Erf" -> grads(g.mul(gy, g.mul(g.scalar(2 / Math.sqrt(Math.PI), x.dtype()), g.exp(g.neg(g.mul(x, x))))));
            case "Sin" -> grads(g.mul(gy, g.cos(x)));
            case "Cos" -> grads(g.neg(g.mul(gy, g.sin(x))));
            case "Abs" -> grads(g.mul(gy, g.op("Sign", List.of(x), Map.of(), List.of(x)).getFirst()));
            case "Cast" -> grads(g.cast(gy, x.dtype()));
            case "MatMul" -> matMul(n, gy, needs);
            case "ReduceSum" -> grads(expandReduced(gy, x, axesOf(n, longsOf(in.get(1))), keepDims(n)), null);
            case "ReduceMean" -> {
                long[] axes = axesOf(n, n.intsAttr("axes"));
                Value spread = expandReduced(gy, x, axes, keepDims(n));
                yield grads(g.div(spread, count(x, axes)));
            }
            case "ReduceMax" -> {
                long[] axes = axesOf(n, n.intsAttr("axes"));
                Value maxKept = keepDims(n) ? y : g.unsqueeze(y, axes);
                Value isMax = g.cast(g.equal(x, maxKept), x.dtype());
                yield grads(g.mul(isMax, expandReduced(gy, x, axes, keepDims(n))));
            }
            case "Softmax" -> {
                long axis = n.intAttr("axis", -1);
                yield grads(g.mul(y, g.sub(gy, g.reduceSum(g.mul(gy, y), true, axis))));
            }
            case "LogSoftmax" -> {
                long axis = n.intAttr("axis", -1);
                yield grads(g.sub(gy, g.mul(g.exp(y), g.reduceSum(gy, true, axis))));
            }
            case "Gather" -> gather(n, gy);
            case "GatherElements" -> gatherElements(n, gy);
            case "Reshape" -> grads(g.reshape(gy, g.shape(x), x.shape()), null);
            case "Transpose" -> grads(g.transpose(gy, inverse(n.intsAttr("perm"))));
            case "Unsqueeze" -> grads(g.squeeze(gy, longsOf(in.get(1))), null);
            case "Squeeze" -> grads(g.unsqueeze(gy, longsOf(in.get(1))), null);
            case "Expand" -> grads(unbroadcast(gy, x), null);
            case "Concat" -> concat(n, gy, needs);
            case "Slice" -> slice(n, gy);
            case "Trilu" -> {
                List<Value> out = new ArrayList<>();
                out.add(g.trilu(gy, n.intAttr("upper", 1) == 1, longsOf(in.get(1))[0]));
                out.add(null);
                yield out;
            }
            default -> throw new GraphException("no gradient rule for " + n.opType() + " (node " + n.name() + ")");
        };
    }

    /** ConstantOfShape's fill value: ONNX wants a one-element rank-1 tensor, not a scalar. */
    static rlif.models.tensor.Tensor zeroFill(DType dtype) {
        return Tensors.ofFloats("value", new long[] {1}, new float[] {0f}, dtype);
    }

    /** A list that may hold nulls (inputs without a gradient). */
    private static List<Value> grads(Value... v) {
        return Arrays.asList(v);
    }

    private interface Lazy {
        Value get();
    }

    private static List<Value> pair(boolean[] needs, Lazy a, Lazy b) {
        List<Value> out = new ArrayList<>();
        out.add(needs[0] ? a.get() : null);
        out.add(needs[1] ? b.get() : null);
        return out;
    }

    private Value one(Value like) {
        return g.scalar(1, like.dtype());
    }

    private Value zero(Value like) {
        return g.scalar(0, like.dtype());
    }

    private static boolean keepDims(Node n) {
        return n.intAttr("keepdims", 1) == 1;
    }

    private static long[] axesOf(Node n, long[] axes) {
        long rank = n.input(0).rank();
        if (axes == null || axes.length == 0) {
            long[] all = new long[(int) rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        long[] out = new long[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
        }
        Arrays.sort(out);
        return out;
    }

    /** The int64 values of a constant or initializer (axes, shapes, offsets). */
    long[] longsOf(Value v) {
        Tensor t = g.constants().get(v.name());
        if (t == null) {
            t = g.initializers().get(v.name());
        }
        if (t == null || t.dtype() != DType.I64) {
            throw new GraphException("gradient needs " + v + " to be an int64 constant");
        }
        long[] out = new long[(int) t.elementCount()];
        var b = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getLong(8 * i);
        }
        return out;
    }

    /** Sums {@code grad} over the axes along which {@code target} was broadcast, giving target's shape. */
    Value unbroadcast(Value grad, Value target) {
        if (grad.shape().equals(target.shape())) {
            return grad;
        }
        Value r = grad;
        int extra = grad.rank() - target.rank();
        if (extra > 0) {
            long[] lead = new long[extra];
            for (int i = 0; i < extra; i++) {
                lead[i] = i;
            }
            r = g.reduceSum(r, false, lead);
        }
        List<Long> axes = new ArrayList<>();
        Dim one = Dim.of(1);
        for (int i = 0; i < target.rank(); i++) {
            Dim t = target.dim(i);
            Dim d = r.dim(i);
            if (t.equals(one) && !d.equals(one)) {
                axes.add((long) i);
            } else if (t.isUnknown() && !d.equals(one)) {
                throw new GraphException("cannot tell whether " + target + " was broadcast along axis " + i
                        + " (unknown size); give the builder its shape");
            }
        }
        if (!axes.isEmpty()) {
            r = g.reduceSum(r, true, axes.stream().mapToLong(Long::longValue).toArray());
        }
        return r;
    }

    /** Puts the reduced axes back (size 1) and broadcasts a reduction's gradient to the input's shape. */
    private Value expandReduced(Value gy, Value x, long[] axes, boolean keepDims) {
        Value kept = keepDims ? gy : g.unsqueeze(gy, axes);
        return g.expand(kept, g.shape(x), x.shape());
    }

    /** The number of elements a reduction over {@code axes} of {@code x} averages. */
    private Value count(Value x, long[] axes) {
        long n = 1;
        boolean allStatic = true;
        for (long a : axes) {
            Dim d = x.dim((int) a);
            if (d.isStatic()) {
                n *= d.size();
            } else {
                allStatic = false;
            }
        }
        if (allStatic) {
            return g.scalar(n, x.dtype());
        }
        Value dims = g.gather(g.shape(x), g.ints(axes), 0);
        Map<String, Attr> keep = new LinkedHashMap<>();
        keep.put("keepdims", new Attr.Int(0));
        Value prod = g.op("ReduceProd", List.of(dims), keep, List.of(new Value("t", DType.I64, Shape.scalar()))).getFirst();
        return g.cast(prod, x.dtype());
    }

    private Value swapLastTwo(Value v) {
        long[] perm = new long[v.rank()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        perm[perm.length - 1] = perm.length - 2;
        perm[perm.length - 2] = perm.length - 1;
        return g.transpose(v, perm);
    }

    private List<Value> matMul(Node n, Value gy, boolean[] needs) {
        Value a = n.input(0);
        Value b = n.input(1);
        if (a.rank() < 2 || b.rank() < 2) {
            throw new GraphException("no gradient rule for MatMul of a vector (node " + n.name() + ")");
        }
        List<Value> out = new ArrayList<>();
        out.add(needs[0] ? unbroadcast(g.matMul(gy, swapLastTwo(b)), a) : null);
        if (!needs[1]) {
            out.add(null);
        } else if (b.rank() == 2 && a.rank() > 2 && a.dim(-1).isStatic() && gy.dim(-1).isStatic()) {
            // x [.., in] @ w [in, out]: fold the batch axes into rows rather than summing per-batch products
            Value a2 = g.reshape(a, -1, a.dim(-1).size());
            Value g2 = g.reshape(gy, -1, gy.dim(-1).size());
            out.add(g.matMul(g.transpose(a2, 1, 0), g2));
        } else {
            out.add(unbroadcast(g.matMul(swapLastTwo(a), gy), b));
        }
        return out;
    }

    private List<Value> gather(Node n, Value gy) {
        Value data = n.input(0);
        Value idx = n.input(1);
        if (n.intAttr("axis", 0) != 0) {
            throw new GraphException("gradient of Gather is implemented along axis 0 only (node " + n.name() + ")");
        }
        Value zeros = g.constantOfShape(g.shape(data), zeroFill(data.dtype()), data.shape());
        Value i64 = idx.dtype() == DType.I64 ? idx : g.cast(idx, DType.I64);
        // Repeated indices (the same token twice) must add up, hence reduction=add, and through ScatterElements,
        // not ScatterND: ONNX Runtime's CPU ScatterND adds its rows on several threads without synchronisation, so
        // two threads adding to one token's row lose updates (the word-level organism's embedding, 970 x 96 with
        // 8192 token rows, on 2 threads: 11 of 20 runs differ, by up to 5.2; tools/scatter_add_check.py). Its
        // ScatterElements adds in order on one thread. The rows are flattened to [n, rest of data] and the index of
        // each row is repeated across it.
        int rest = data.rank() - 1;
        List<Dim> flatDims = new ArrayList<>();
        flatDims.add(Dim.UNKNOWN);
        for (int i = 1; i < data.rank(); i++) {
            flatDims.add(data.dim(i));
        }
        Shape flat = new Shape(flatDims);
        Value rows = g.reshape(gy, g.concat(0, g.ints(-1), g.shape(data, 1, data.rank())), flat);
        Value rowIdx = g.reshape(i64, -1);
        if (rest > 0) {
            long[] axes = new long[rest];
            for (int i = 0; i < rest; i++) {
                axes[i] = i + 1;
            }
            rowIdx = g.expand(g.unsqueeze(rowIdx, axes), g.shape(rows), flat);
        }
        Map<String, Attr> at = new LinkedHashMap<>();
        at.put("axis", new Attr.Int(0));
        at.put("reduction", new Attr.Str("add"));
        Value gd = g.op("ScatterElements", List.of(zeros, rowIdx, rows), at, List.of(data)).getFirst();
        List<Value> out = new ArrayList<>();
        out.add(gd);
        out.add(null);
        return out;
    }

    private List<Value> gatherElements(Node n, Value gy) {
        Value data = n.input(0);
        Value zeros = g.constantOfShape(g.shape(data), zeroFill(data.dtype()), data.shape());
        Map<String, Attr> at = new LinkedHashMap<>();
        at.put("axis", new Attr.Int(n.intAttr("axis", 0)));
        at.put("reduction", new Attr.Str("add"));
        Value gd = g.op("ScatterElements", List.of(zeros, n.input(1), gy), at, List.of(data)).getFirst();
        List<Value> out = new ArrayList<>();
        out.add(gd);
        out.add(null);
        return out;
    }

    private static long[] inverse(long[] perm) {
        long[] inv = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inv[(int) perm[i]] = i;
        }
        return inv;
    }

    private List<Value> concat(Node n, Value gy, boolean[] needs) {
        int axis = (int) n.intAttr("axis", 0);
        int a = axis < 0 ? axis + gy.rank() : axis;
        List<Value> out = new ArrayList<>();
        Value offset = g.ints(0);
        for (int k = 0; k < n.inputs().size(); k++) {
            Value part = n.input(k);
            Value size = g.shape(part, a, a + 1);
            Value end = g.add(offset, size);
            if (needs[k]) {
                Value piece = g.slice(gy, offset, end, a);
                out.add(g.reshape(piece, g.shape(part), part.shape()));
            } else {
                out.add(null);
            }
            offset = end;
        }
        return out;
    }

    private List<Value> slice(Node n, Value gy) {
        Value x = n.input(0);
        if (n.inputs().size() < 4) {
            throw new GraphException("gradient of Slice needs constant axes (node " + n.name() + ")");
        }
        long[] starts = longsOf(n.input(1));
        long[] axes = longsOf(n.input(3));
        if (n.inputs().size() > 4) {
            for (long s : longsOf(n.input(4))) {
                if (s != 1) {
                    throw new GraphException("gradient of Slice with step " + s + " (node " + n.name() + ")");
                }
            }
        }
        int rank = x.rank();
        long[] startVec = new long[rank];
        long[] fromEnd = new long[rank];
        for (int i = 0; i < axes.length; i++) {
            int ax = (int) (axes[i] < 0 ? axes[i] + rank : axes[i]);
            if (starts[i] >= 0) {
                startVec[ax] = starts[i];
            } else {
                startVec[ax] = starts[i];
                fromEnd[ax] = 1; // negative start counts from the end: before = dim + start
            }
        }
        // pads: zeros before = where the slice began, after = what is left beyond its end
        Value xShape = g.shape(x);
        Value before = g.add(g.mul(xShape, g.ints(fromEnd)), g.ints(startVec));
        Value after = g.sub(g.sub(xShape, before), g.shape(gy));
        Value pads = g.concat(0, before, after);
        List<Value> out = new ArrayList<>();
        out.add(g.op("Pad", List.of(gy, pads), Map.of("mode", new Attr.Str("constant")), List.of(x)).getFirst());
        for (int i = 1; i < n.inputs().size(); i++) {
            out.add(null);
        }
        return out;
    }
}
