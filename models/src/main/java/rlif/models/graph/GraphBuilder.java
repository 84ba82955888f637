package rlif.models.graph;

import ai.onnx.proto.OnnxMl;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import rlif.models.onnx.InitializerSink;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;
import rlif.models.tensor.Tensors;

/**
 * Builds an ONNX graph one operator at a time, checking dtypes and shapes as it goes.
 *
 * <p>A builder is also the record of what was built: {@link #nodes()} in topological order, the graph
 * {@link #inputs()}, {@link #initializers()} (weights, exported as external data when large) and
 * {@link #outputs()}. Every op method infers its output's dtype and shape and throws a
 * {@link GraphException} naming the node when they cannot work ({@code [batch,seq,64] @ [32,8]}).
 *
 * <p>All ops are standard ONNX at opset {@value #OPSET} (ORT 1.29 runs it everywhere, ORT-GenAI and
 * transformers.js exports use it; ReduceMean/ReduceMax take {@code axes} as an attribute there,
 * ReduceSum/Squeeze/Unsqueeze/Slice as inputs; there is no Gelu op, so GELU is expanded with Erf or Tanh).
 *
 * <p>Subgraphs ({@link #subgraph(String)}) may use values of enclosing graphs, as ONNX allows.
 */
public final class GraphBuilder {
    /** The ONNX opset of the standard domain. */
    public static final int OPSET = 17;
    /** ONNX IR version matching {@link #OPSET}. */
    public static final int IR_VERSION = 8;

    /** The domain of ONNX Runtime's contrib operators ({@code MatMulNBits}), opset version 1. */
    public static final String MS_DOMAIN = "com.microsoft";

    /** The doc_string marking exported initializers that are builder constants rather than weights. */
    public static final String CONSTANT_DOC = "rlif:constant";

    /** What kind of thing a graph-level value is. */
    public enum Kind { INPUT, INITIALIZER, CONSTANT, NODE_OUTPUT }

    private final String name;
    private final GraphBuilder parent;
    private final Counter counter;
    private final List<Value> inputs = new ArrayList<>();
    private final SequencedMap<String, Tensor> initializers = new LinkedHashMap<>();
    private final SequencedMap<String, Tensor> constants = new LinkedHashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<Value> outputs = new ArrayList<>();
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, Kind> kinds = new HashMap<>();
    private final Map<String, Node> producers = new HashMap<>();
    private final Deque<String> scopes = new ArrayDeque<>();

    /** Shared naming counter so subgraph names never collide with their parent's. */
    private static final class Counter {
        int next;
    }

    /** A new top-level graph. */
    public GraphBuilder(String name) {
        this(name, null, new Counter());
    }

    private GraphBuilder(String name, GraphBuilder parent, Counter counter) {
        this.name = name;
        this.parent = parent;
        this.counter = counter;
    }

    /** A subgraph (for a {@code Loop} body) that may read this graph's values. */
    public GraphBuilder subgraph(String name) {
        return new GraphBuilder(name, this, counter);
    }

    public String name() {
        return name;
    }

    public List<Value> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public List<Value> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** Named weights, in insertion order. */
    public SequencedMap<String, Tensor> initializers() {
        return Collections.unmodifiableSequencedMap(initializers);
    }

    /** Small constants the builder made (shape vectors, scalars); exported inline. */
    public SequencedMap<String, Tensor> constants() {
        return Collections.unmodifiableSequencedMap(constants);
    }

    /** The value named {@code name} in this graph or an enclosing one. */
    public Value value(String name) {
        Value v = values.get(name);
        if (v == null && parent != null) {
            return parent.value(name);
        }
        if (v == null) {
            throw new GraphException("graph " + this.name + " has no value named " + name);
        }
        return v;
    }

    /** The node that produced {@code v}, or null for inputs, initializers and constants. */
    public Node producer(Value v) {
        Node n = producers.get(v.name());
        return n == null && parent != null ? parent.producer(v) : n;
    }

    /** Whether {@code v} is a graph input, initializer, constant or node output of this graph (or an enclosing one). */
    public Kind kind(Value v) {
        Kind k = kinds.get(v.name());
        if (k == null && parent != null) {
            return parent.kind(v);
        }
        if (k == null) {
            throw new GraphException("graph " + name + " has no value named " + v.name());
        }
        return k;
    }

    // ---------------------------------------------------------------- graph interface

    /** Declares a graph input. */
    public Value input(String name, DType dtype, Shape shape) {
        Value v = new Value(name, dtype, shape);
        register(v, Kind.INPUT, null);
        inputs.add(v);
        return v;
    }

    /** Declares a named weight. */
    public Value initializer(String name, Tensor t) {
        Value v = new Value(name, t.dtype(), Shape.of(t.shape()));
        register(v, Kind.INITIALIZER, null);
        initializers.put(name, name.equals(t.name()) ? t : t.renamed(name));
        return v;
    }

    /** A small constant tensor (kept inline on export). */
    public Value constant(Tensor t) {
        String n = fresh("const");
        Value v = new Value(n, t.dtype(), Shape.of(t.shape()));
        register(v, Kind.CONSTANT, null);
        constants.put(n, t.renamed(n));
        return v;
    }

    /** A scalar constant of a float type (F32, F16, BF16, F64). */
    public Value scalar(double x, DType dtype) {
        return constant(Tensors.scalar(x, dtype));
    }

    /** A rank-1 int64 constant. */
    public Value ints(long... xs) {
        ByteBuffer b = ByteBuffer.allocate(8 * xs.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(xs);
        return constant(new Tensor("c", DType.I64, new long[] {xs.length}, b));
    }

    /** A scalar int64 constant. */
    public Value int64(long x) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, x);
        return constant(new Tensor("c", DType.I64, new long[0], b));
    }

    /** Marks {@code v} as a graph output named {@code outputName} (adds an Identity when the names differ). */
    public Value output(String outputName, Value v) {
        Value out = v.name().equals(outputName) ? v : single("Identity", List.of(v), Node.none(), v.dtype(), v.shape(), outputName);
        if (outputs.stream().anyMatch(o -> o.name().equals(outputName))) {
            throw new GraphException("graph " + name + " already has an output named " + outputName);
        }
        outputs.add(out);
        return out;
    }

    /** Opens a naming scope; node names made inside start with it ({@code layers.3/MatMul_17}). */
    public Scope scope(String s) {
        scopes.push(s);
        return new Scope();
    }

    /** An open naming scope; closing it ends the scope. */
    public final class Scope implements AutoCloseable {
        private Scope() {}

        @Override
        public void close() {
            scopes.pop();
        }
    }

    // ---------------------------------------------------------------- elementwise

    public Value add(Value a, Value b) {
        return broadcastOp("Add", a, b, null);
    }

    public Value sub(Value a, Value b) {
        return broadcastOp("Sub", a, b, null);
    }

    public Value mul(Value a, Value b) {
        return broadcastOp("Mul", a, b, null);
    }

    public Value div(Value a, Value b) {
        return broadcastOp("Div", a, b, null);
    }

    public Value pow(Value a, Value b) {
        return broadcastOp("Pow", a, b, null);
    }

    /** Elementwise maximum of two tensors. */
    public Value max(Value a, Value b) {
        return broadcastOp("Max", a, b, null);
    }

    /** Elementwise minimum of two tensors. */
    public Value min(Value a, Value b) {
        return broadcastOp("Min", a, b, null);
    }

    public Value equal(Value a, Value b) {
        return broadcastOp("Equal", a, b, DType.BOOL);
    }

    public Value less(Value a, Value b) {
        return broadcastOp("Less", a, b, DType.BOOL);
    }

    public Value lessOrEqual(Value a, Value b) {
        return broadcastOp("LessOrEqual", a, b, DType.BOOL);
    }

    public Value greater(Value a, Value b) {
        return broadcastOp("Greater", a, b, DType.BOOL);
    }

    public Value and(Value a, Value b) {
        requireType("And", a, DType.BOOL);
        return broadcastOp("And", a, b, DType.BOOL);
    }

    public Value or(Value a, Value b) {
        requireType("Or", a, DType.BOOL);
        return broadcastOp("Or", a, b, DType.BOOL);
    }

    public Value not(Value a) {
        requireType("Not", a, DType.BOOL);
        return unary("Not", a);
    }

    public Value sqrt(Value x) {
        return unary("Sqrt", x);
    }

    public Value reciprocal(Value x) {
        return unary("Reciprocal", x);
    }

    public Value neg(Value x) {
        return unary("Neg", x);
    }

    public Value exp(Value x) {
        return unary("Exp", x);
    }

    public Value log(Value x) {
        return unary("Log", x);
    }

    public Value sigmoid(Value x) {
        return unary("Sigmoid", x);
    }

    public Value tanh(Value x) {
        return unary("Tanh", x);
    }

    public Value erf(Value x) {
        return unary("Erf", x);
    }

    public Value cos(Value x) {
        return unary("Cos", x);
    }

    public Value sin(Value x) {
        return unary("Sin", x);
    }

    public Value abs(Value x) {
        return unary("Abs", x);
    }

    public Value identity(Value x) {
        return unary("Identity", x);
    }

    /** {@code where(cond, a, b)}: a where cond is true, else b (all broadcast). */
    public Value where(Value cond, Value a, Value b) {
        String n = nodeName("Where");
        requireType(n, cond, DType.BOOL);
        sameType(n, a, b);
        Shape s = broadcast(n, cond.shape(), broadcast(n, a.shape(), b.shape()));
        return record(n, "Where", List.of(cond, a, b), Node.none(), a.dtype(), s);
    }

    /** Converts element type. */
    public Value cast(Value x, DType to) {
        return single("Cast", List.of(x), Map.of("to", new Attr.Int(to.onnxCode())), to, x.shape(), null);
    }

    // ---------------------------------------------------------------- linear algebra

    /** Numpy-style matrix product with batch broadcasting. */
    public Value matMul(Value a, Value b) {
        String n = nodeName("MatMul");
        sameType(n, a, b);
        if (a.rank() == 0 || b.rank() == 0) {
            throw new GraphException(n + ": MatMul of a scalar " + a + " @ " + b);
        }
        List<Dim> as = new ArrayList<>(a.shape().dims());
        List<Dim> bs = new ArrayList<>(b.shape().dims());
        boolean aVec = as.size() == 1;
        boolean bVec = bs.size() == 1;
        if (aVec) {
            as.addFirst(Dim.of(1));
        }
        if (bVec) {
            bs.add(Dim.of(1));
        }
        Dim ka = as.getLast();
        Dim kb = bs.get(bs.size() - 2);
        if (!ka.compatible(kb)) {
            throw new GraphException(n + ": inner dimensions differ in " + a + " @ " + b);
        }
        Shape batch = broadcast(n, new Shape(as.subList(0, as.size() - 2)), new Shape(bs.subList(0, bs.size() - 2)));
        List<Dim> out = new ArrayList<>(batch.dims());
        if (!aVec) {
            out.add(as.get(as.size() - 2));
        }
        if (!bVec) {
            out.add(bs.getLast());
        }
        return record(n, "MatMul", List.of(a, b), Node.none(), a.dtype(), new Shape(out));
    }

    /** {@code x @ w (+ bias)} with {@code w} laid out {@code [in, out]}; bias may be null. */
    public Value linear(Value x, Value w, Value bias) {
        Value y = matMul(x, w);
        return bias == null ? y : add(y, bias);
    }

    // ---------------------------------------------------------------- reductions and normalisers

    /** Mean over {@code axes} (axes as an attribute, opset 17). */
    public Value reduceMean(Value x, boolean keepDims, long... axes) {
        return reduceWithAttr("ReduceMean", x, keepDims, axes);
    }

    /** Max over {@code axes} (axes as an attribute, opset 17). */
    public Value reduceMax(Value x, boolean keepDims, long... axes) {
        return reduceWithAttr("ReduceMax", x, keepDims, axes);
    }

    /** Sum over {@code axes} (axes as an input since opset 13). */
    public Value reduceSum(Value x, boolean keepDims, long... axes) {
        String n = nodeName("ReduceSum");
        Shape s = reducedShape(n, x, keepDims, axes);
        return record(n, "ReduceSum", List.of(x, ints(axes)), Map.of("keepdims", new Attr.Int(keepDims ? 1 : 0)), x.dtype(), s);
    }

    private Value reduceWithAttr(String op, Value x, boolean keepDims, long[] axes) {
        String n = nodeName(op);
        Shape s = reducedShape(n, x, keepDims, axes);
        Map<String, Attr> at = new LinkedHashMap<>();
        at.put("axes", Attr.ints(axes));
        at.put("keepdims", new Attr.Int(keepDims ? 1 : 0));
        return record(n, op, List.of(x), at, x.dtype(), s);
    }

    public Value softmax(Value x, int axis) {
        return normaliser("Softmax", x, axis);
    }

    public Value logSoftmax(Value x, int axis) {
        return normaliser("LogSoftmax", x, axis);
    }

    private Value normaliser(String op, Value x, int axis) {
        String n = nodeName(op);
        checkAxis(n, x, axis);
        requireFloat(n, x);
        return record(n, op, List.of(x), Map.of("axis", new Attr.Int(axis)), x.dtype(), x.shape());
    }

    // ---------------------------------------------------------------- indexing and shapes

    /** {@code data} rows picked by {@code indices} along {@code axis}. */
    public Value gather(Value data, Value indices, int axis) {
        String n = nodeName("Gather");
        requireIndex(n, indices);
        int a = checkAxis(n, data, axis);
        List<Dim> out = new ArrayList<>(data.shape().dims().subList(0, a));
        out.addAll(indices.shape().dims());
        out.addAll(data.shape().dims().subList(a + 1, data.rank()));
        return record(n, "Gather", List.of(data, indices), Map.of("axis", new Attr.Int(axis)), data.dtype(), new Shape(out));
    }

    /** {@code out[i][j] = data[i][indices[i][j]]} along {@code axis} (e.g. the log-probability of each chosen token). */
    public Value gatherElements(Value data, Value indices, int axis) {
        String n = nodeName("GatherElements");
        requireIndex(n, indices);
        checkAxis(n, data, axis);
        if (indices.rank() != data.rank()) {
            throw new GraphException(n + ": indices " + indices + " must have the rank of " + data);
        }
        for (int i = 0; i < data.rank(); i++) {
            if (i != (axis < 0 ? axis + data.rank() : axis) && !indices.dim(i).compatible(data.dim(i))) {
                throw new GraphException(n + ": indices " + indices + " and data " + data + " differ on axis " + i);
            }
        }
        return record(n, "GatherElements", List.of(data, indices), Map.of("axis", new Attr.Int(axis)), data.dtype(), indices.shape());
    }

    /**
     * Reshape to a constant target: {@code 0} copies the input dim at that index, {@code -1} is inferred
     * (symbolically when the dims allow). Element counts are checked when both sides are known.
     */
    public Value reshape(Value x, long... target) {
        String n = nodeName("Reshape");
        List<Dim> out = new ArrayList<>();
        int inferred = -1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == 0) {
                if (i >= x.rank()) {
                    throw new GraphException(n + ": reshape of " + x + " to " + Arrays.toString(target) + " copies missing dim " + i);
                }
                out.add(x.dim(i));
            } else if (t == -1) {
                if (inferred >= 0) {
                    throw new GraphException(n + ": two -1 entries in reshape target " + Arrays.toString(target));
                }
                inferred = i;
                out.add(Dim.UNKNOWN);
            } else if (t > 0) {
                out.add(Dim.of(t));
            } else {
                throw new GraphException(n + ": bad reshape target " + Arrays.toString(target));
            }
        }
        Dim total = x.shape().elementCount();
        Dim known = Dim.of(1);
        for (int i = 0; i < out.size(); i++) {
            if (i != inferred) {
                known = known.times(out.get(i));
            }
        }
        if (inferred >= 0) {
            out.set(inferred, total.dividedBy(known));
        } else if (!total.compatible(known)) {
            throw new GraphException(n + ": cannot reshape " + x + " (" + total + " elements) to " + new Shape(out) + " (" + known + ")");
        }
        if (inferred >= 0 && total.isStatic() && known.isStatic() && known.size() != 0 && total.size() % known.size() != 0) {
            throw new GraphException(n + ": cannot reshape " + x + " to " + Arrays.toString(target));
        }
        return record(n, "Reshape", List.of(x, ints(target)), Node.none(), x.dtype(), new Shape(out));
    }

    /** Reshape to a shape computed at run time; {@code result} is what the caller knows of the outcome. */
    public Value reshape(Value x, Value shape, Shape result) {
        String n = nodeName("Reshape");
        requireType(n, shape, DType.I64);
        return record(n, "Reshape", List.of(x, shape), Node.none(), x.dtype(), result);
    }

    public Value transpose(Value x, long... perm) {
        String n = nodeName("Transpose");
        if (perm.length != x.rank()) {
            throw new GraphException(n + ": perm " + Arrays.toString(perm) + " for rank-" + x.rank() + " " + x);
        }
        List<Dim> out = new ArrayList<>();
        boolean[] seen = new boolean[perm.length];
        for (long p : perm) {
            if (p < 0 || p >= perm.length || seen[(int) p]) {
                throw new GraphException(n + ": bad perm " + Arrays.toString(perm));
            }
            seen[(int) p] = true;
            out.add(x.dim((int) p));
        }
        return record(n, "Transpose", List.of(x), Map.of("perm", Attr.ints(perm)), x.dtype(), new Shape(out));
    }

    public Value concat(int axis, Value... xs) {
        String n = nodeName("Concat");
        if (xs.length == 0) {
            throw new GraphException(n + ": nothing to concatenate");
        }
        Value first = xs[0];
        int a = checkAxis(n, first, axis);
        Dim sum = Dim.of(0);
        List<Dim> out = new ArrayList<>(first.shape().dims());
        for (Value x : xs) {
            sameType(n, first, x);
            if (x.rank() != first.rank()) {
                throw new GraphException(n + ": ranks differ: " + first + " and " + x);
            }
            for (int i = 0; i < x.rank(); i++) {
                if (i != a && !x.dim(i).compatible(out.get(i))) {
                    throw new GraphException(n + ": dim " + i + " differs: " + first + " and " + x);
                }
                if (i != a && out.get(i).isUnknown()) {
                    out.set(i, x.dim(i));
                }
            }
            sum = sum.plus(x.dim(a));
        }
        out.set(a, sum);
        return record(n, "Concat", List.of(xs), Map.of("axis", new Attr.Int(axis)), first.dtype(), new Shape(out));
    }

    /** {@code x[start:end]} along one axis (negative start/end count from the end; {@code Long.MAX_VALUE} is "to the end"). */
    public Value slice(Value x, int axis, long start, long end) {
        return slice(x, new long[] {start}, new long[] {end}, new long[] {axis}, new long[] {1});
    }

    /** ONNX Slice with constant starts, ends, axes and steps. */
    public Value slice(Value x, long[] starts, long[] ends, long[] axes, long[] steps) {
        String n = nodeName("Slice");
        if (starts.length != ends.length || starts.length != axes.length || starts.length != steps.length) {
            throw new GraphException(n + ": starts, ends, axes, steps differ in length");
        }
        List<Dim> out = new ArrayList<>(x.shape().dims());
        for (int i = 0; i < axes.length; i++) {
            int a = checkAxis(n, x, (int) axes[i]);
            out.set(a, slicedDim(n, x.dim(a), starts[i], ends[i], steps[i]));
        }
        return record(n, "Slice", List.of(x, ints(starts), ints(ends), ints(axes), ints(steps)), Node.none(), x.dtype(), new Shape(out));
    }

    /** Slice with run-time starts and ends (int64 rank-1) on constant axes; the sliced dims become unknown. */
    public Value slice(Value x, Value starts, Value ends, long... axes) {
        String n = nodeName("Slice");
        requireType(n, starts, DType.I64);
        requireType(n, ends, DType.I64);
        List<Dim> out = new ArrayList<>(x.shape().dims());
        for (long ax : axes) {
            out.set(checkAxis(n, x, (int) ax), Dim.UNKNOWN);
        }
        return record(n, "Slice", List.of(x, starts, ends, ints(axes)), Node.none(), x.dtype(), new Shape(out));
    }

    private static Dim slicedDim(String n, Dim d, long start, long end, long step) {
        if (step != 1) {
            if (!d.isStatic()) {
                return Dim.UNKNOWN;
            }
            if (step == 0) {
                throw new GraphException(n + ": slice step 0");
            }
            long size = d.size();
            long s = step > 0 ? clamp(start < 0 ? start + size : start, 0, size) : clamp(start < 0 ? start + size : start, -1, size - 1);
            long e = step > 0 ? clamp(end < 0 ? end + size : end, 0, size) : clamp(end < 0 ? end + size : end, -1, size - 1);
            long count = step > 0 ? Math.max(0, (e - s + step - 1) / step) : Math.max(0, (s - e + (-step) - 1) / (-step));
            return Dim.of(count);
        }
        if (d.isStatic()) {
            long size = d.size();
            long s = clamp(start < 0 ? start + size : start, 0, size);
            long e = clamp(end < 0 ? end + size : end, 0, size);
            return Dim.of(Math.max(0, e - s));
        }
        // symbolic dim: assume it is long enough for the constant bounds, as the caller's model guarantees
        boolean toEnd = end >= Integer.MAX_VALUE;
        if (start >= 0 && toEnd) {
            return d.minus(start); // x[k:] has d-k entries
        }
        if (start < 0 && toEnd) {
            return Dim.of(-start); // the last |start| entries
        }
        if (start >= 0 && end < 0) {
            return d.minus(start - end); // x[k:-m] has d-k-m entries
        }
        if (end >= 0 && start >= 0 || start < 0 && end < 0) {
            return Dim.of(Math.max(0, end - start)); // a window of constant width
        }
        return Dim.UNKNOWN;
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    public Value unsqueeze(Value x, long... axes) {
        String n = nodeName("Unsqueeze");
        int outRank = x.rank() + axes.length;
        Dim[] out = new Dim[outRank];
        for (long ax : axes) {
            int a = (int) (ax < 0 ? ax + outRank : ax);
            if (a < 0 || a >= outRank || out[a] != null) {
                throw new GraphException(n + ": bad unsqueeze axes " + Arrays.toString(axes) + " for " + x);
            }
            out[a] = Dim.of(1);
        }
        int j = 0;
        for (int i = 0; i < outRank; i++) {
            if (out[i] == null) {
                out[i] = x.dim(j++);
            }
        }
        return record(n, "Unsqueeze", List.of(x, ints(axes)), Node.none(), x.dtype(), Shape.of(out));
    }

    public Value squeeze(Value x, long... axes) {
        String n = nodeName("Squeeze");
        boolean[] drop = new boolean[x.rank()];
        for (long ax : axes) {
            int a = checkAxis(n, x, (int) ax);
            Dim d = x.dim(a);
            if (!d.compatible(Dim.of(1))) {
                throw new GraphException(n + ": cannot squeeze axis " + ax + " of " + x);
            }
            drop[a] = true;
        }
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (!drop[i]) {
                out.add(x.dim(i));
            }
        }
        return record(n, "Squeeze", List.of(x, ints(axes)), Node.none(), x.dtype(), new Shape(out));
    }

    /** The shape of {@code x} as an int64 vector. */
    public Value shape(Value x) {
        return single("Shape", List.of(x), Node.none(), DType.I64, Shape.of(x.rank()), null);
    }

    /** {@code Shape(x)[start:end]} (the opset-15 start/end attributes). */
    public Value shape(Value x, int start, int end) {
        String n = nodeName("Shape");
        Dim d = slicedDim(n, Dim.of(x.rank()), start, end, 1);
        Map<String, Attr> at = new LinkedHashMap<>();
        at.put("start", new Attr.Int(start));
        at.put("end", new Attr.Int(end));
        return record(n, "Shape", List.of(x), at, DType.I64, new Shape(List.of(d)));
    }

    /** Broadcasts {@code x} to a run-time shape; {@code result} is what the caller knows of that shape. */
    public Value expand(Value x, Value shape, Shape result) {
        String n = nodeName("Expand");
        requireType(n, shape, DType.I64);
        Shape s = broadcast(n, x.shape(), result);
        return record(n, "Expand", List.of(x, shape), Node.none(), x.dtype(), s);
    }

    /** {@code [start, limit)} in steps of {@code delta} (scalars of one type); {@code length} is what the caller knows of its size. */
    public Value range(Value start, Value limit, Value delta, Dim length) {
        String n = nodeName("Range");
        sameType(n, start, limit);
        sameType(n, start, delta);
        for (Value v : List.of(start, limit, delta)) {
            if (v.rank() != 0) {
                throw new GraphException(n + ": Range needs scalars, got " + v);
            }
        }
        return record(n, "Range", List.of(start, limit, delta), Node.none(), start.dtype(), new Shape(List.of(length)));
    }

    /** Lower ({@code upper=false}) or upper triangle of the last two axes, offset by constant {@code k}. */
    public Value trilu(Value x, boolean upper, long k) {
        String n = nodeName("Trilu");
        if (x.rank() < 2) {
            throw new GraphException(n + ": Trilu needs rank >= 2, got " + x);
        }
        return record(n, "Trilu", List.of(x, int64(k)), Map.of("upper", new Attr.Int(upper ? 1 : 0)), x.dtype(), x.shape());
    }

    /** A tensor of a run-time shape filled with the scalar {@code fill}; {@code result} is what the caller knows of the shape. */
    public Value constantOfShape(Value shape, Tensor fill, Shape result) {
        String n = nodeName("ConstantOfShape");
        requireType(n, shape, DType.I64);
        return record(n, "ConstantOfShape", List.of(shape), Map.of("value", new Attr.TensorValue(fill.renamed("value"))), fill.dtype(), result);
    }

    // ---------------------------------------------------------------- control flow

    /**
     * ONNX {@code Loop}: runs {@code body} while {@code cond} holds and fewer than {@code maxTrips}
     * iterations ran. {@code body} has inputs {@code (iter int64 [], cond bool [], carried...)} and outputs
     * {@code (cond bool [], carried..., scans...)}. Returns the final carried values then the scan outputs
     * (each body scan output stacked along a new leading axis of length {@code trips}).
     */
    public List<Value> loop(Value maxTrips, Value cond, List<Value> carried, GraphBuilder body, Dim trips) {
        String n = nodeName("Loop");
        if (body.parent != this) {
            throw new GraphException(n + ": the body must be a subgraph of this graph");
        }
        requireType(n, maxTrips, DType.I64);
        requireType(n, cond, DType.BOOL);
        List<Value> bin = body.inputs();
        List<Value> bout = body.outputs();
        if (bin.size() != 2 + carried.size() || bout.size() < 1 + carried.size()) {
            throw new GraphException(n + ": body has " + bin.size() + " inputs and " + bout.size() + " outputs for "
                    + carried.size() + " carried values");
        }
        for (int i = 0; i < carried.size(); i++) {
            Value init = carried.get(i);
            Value in = bin.get(2 + i);
            Value out = bout.get(1 + i);
            if (init.dtype() != in.dtype() || in.dtype() != out.dtype()) {
                throw new GraphException(n + ": carried value " + i + " types differ: " + init + ", body " + in + " -> " + out);
            }
        }
        List<Value> ins = new ArrayList<>(List.of(maxTrips, cond));
        ins.addAll(carried);
        List<Value> outs = new ArrayList<>();
        for (int i = 0; i < carried.size(); i++) {
            Value bo = bout.get(1 + i);
            outs.add(new Value(n + "_out" + i, bo.dtype(), bo.shape()));
        }
        for (int i = 1 + carried.size(); i < bout.size(); i++) {
            Value bo = bout.get(i);
            List<Dim> d = new ArrayList<>(bo.shape().dims());
            d.addFirst(trips);
            outs.add(new Value(n + "_out" + (i - 1), bo.dtype(), new Shape(d)));
        }
        recordMulti(n, "Loop", ins, Map.of("body", new Attr.Graph(body)), outs);
        return outs;
    }

    // ---------------------------------------------------------------- generic

    /** Adds any standard op whose output types the caller states (for ops this class has no method for). */
    public List<Value> op(String opType, List<Value> inputs, Map<String, Attr> attributes, List<Value> outputTypes) {
        return op("", opType, inputs, attributes, outputTypes);
    }

    /** Adds an op of {@code domain} ({@link #MS_DOMAIN} for ONNX Runtime's contrib ops) with stated output types. */
    public List<Value> op(String domain, String opType, List<Value> inputs, Map<String, Attr> attributes,
            List<Value> outputTypes) {
        String n = nodeName(opType);
        List<Value> outs = new ArrayList<>();
        for (int i = 0; i < outputTypes.size(); i++) {
            Value t = outputTypes.get(i);
            outs.add(new Value(outputTypes.size() == 1 ? n + "_out" : n + "_out" + i, t.dtype(), t.shape()));
        }
        recordMulti(n, domain, opType, inputs, attributes, outs);
        return outs;
    }

    /**
     * As {@link #op(String, String, List, Map, List)}, but the outputs keep the names {@code outputs} give them: an
     * output named as a graph output becomes it without an {@code Identity} (which would copy it on every run).
     */
    public List<Value> opNamed(String domain, String opType, List<Value> inputs, Map<String, Attr> attributes,
            List<Value> outputs) {
        recordMulti(nodeName(opType), domain, opType, inputs, attributes, outputs);
        return List.copyOf(outputs);
    }

    /**
     * ONNX Runtime's {@code MatMulNBits}: {@code x @ W^T} for a weight {@code W [n, k]} stored in blocks of
     * {@code blockSize} along {@code k}, {@code bits}-bit codes packed low bits first ({@code codes} uint8
     * {@code [n, k / blockSize, blockSize * bits / 8]}), one float32 {@code scale} per block and optional packed uint8
     * {@code zeroPoints} (null: the default {@code 2^(bits-1)}); {@code W = (code - zeroPoint) * scale}.
     * {@code accuracyLevel} 4 lets ONNX Runtime quantize {@code x} to int8 per block for integer dot products.
     */
    public Value matMulNBits(Value x, Value codes, Value scales, Value zeroPoints, int k, int n, int bits, int blockSize,
            int accuracyLevel) {
        String name = nodeName("MatMulNBits");
        requireType(name, codes, DType.U8);
        if (x.dtype() != scales.dtype()) {
            throw new GraphException(name + ": scales " + scales + " must have the type of the input " + x);
        }
        if (x.rank() < 2 || !x.dim(x.rank() - 1).compatible(Dim.of(k))) {
            throw new GraphException(name + ": input " + x + " does not end in k = " + k);
        }
        List<Dim> out = new ArrayList<>(x.shape().dims());
        out.set(out.size() - 1, Dim.of(n));
        List<Value> ins = new ArrayList<>(List.of(x, codes, scales));
        if (zeroPoints != null) {
            requireType(name, zeroPoints, DType.U8);
            ins.add(zeroPoints);
        }
        Map<String, Attr> at = new LinkedHashMap<>();
        at.put("K", new Attr.Int(k));
        at.put("N", new Attr.Int(n));
        at.put("bits", new Attr.Int(bits));
        at.put("block_size", new Attr.Int(blockSize));
        at.put("accuracy_level", new Attr.Int(accuracyLevel));
        Value y = new Value(name + "_out", x.dtype(), new Shape(out));
        recordMulti(name, MS_DOMAIN, "MatMulNBits", ins, at, List.of(y));
        return y;
    }

    // ---------------------------------------------------------------- export

    /** This graph as an ONNX model with every tensor inline (under 2 GB in total). */
    public OnnxMl.ModelProto toModel() {
        return GraphExport.model(this, InitializerSink.inline());
    }

    /** This graph as an ONNX model, initializers handed to {@code sink} (e.g. external data). */
    public OnnxMl.ModelProto toModel(InitializerSink sink) {
        return GraphExport.model(this, sink);
    }

    /**
     * Writes {@code dir/fileName} with large initializers in {@code dir/fileName.data} (each file atomically).
     * ONNX Runtime loads it with {@code env.createSession(dir.resolve(fileName).toString(), options)}.
     */
    public OnnxMl.ModelProto save(java.nio.file.Path dir, String fileName) {
        return rlif.models.onnx.OnnxModelWriter.write(dir, fileName, this::toModel);
    }

    // ---------------------------------------------------------------- internals

    private Value unary(String op, Value x) {
        return single(op, List.of(x), Node.none(), x.dtype(), x.shape(), null);
    }

    private Value broadcastOp(String op, Value a, Value b, DType outType) {
        String n = nodeName(op);
        sameType(n, a, b);
        return record(n, op, List.of(a, b), Node.none(), outType == null ? a.dtype() : outType, broadcast(n, a.shape(), b.shape()));
    }

    private Value single(String op, List<Value> ins, Map<String, Attr> attrs, DType t, Shape s, String outName) {
        String n = nodeName(op);
        Value out = new Value(outName == null ? n + "_out" : outName, t, s);
        recordMulti(n, op, ins, attrs, List.of(out));
        return out;
    }

    private Value record(String n, String op, List<Value> ins, Map<String, Attr> attrs, DType t, Shape s) {
        Value out = new Value(n + "_out", t, s);
        recordMulti(n, op, ins, attrs, List.of(out));
        return out;
    }

    private void recordMulti(String n, String op, List<Value> ins, Map<String, Attr> attrs, List<Value> outs) {
        recordMulti(n, "", op, ins, attrs, outs);
    }

    private void recordMulti(String n, String domain, String op, List<Value> ins, Map<String, Attr> attrs, List<Value> outs) {
        for (Value v : ins) {
            Value known;
            try {
                known = value(v.name());
            } catch (GraphException e) {
                throw new GraphException(n + ": input " + v + " is not a value of graph " + name + " or an enclosing graph");
            }
            if (!known.equals(v)) {
                throw new GraphException(n + ": input " + v + " does not match the graph's " + known);
            }
        }
        Node node = new Node(n, op, ins, outs, new LinkedHashMap<>(attrs), domain);
        for (Value o : outs) {
            register(o, Kind.NODE_OUTPUT, node);
        }
        nodes.add(node);
    }

    private void register(Value v, Kind kind, Node producer) {
        if (isTaken(v.name())) {
            throw new GraphException("graph " + name + ": value name " + v.name() + " is already used");
        }
        values.put(v.name(), v);
        kinds.put(v.name(), kind);
        if (producer != null) {
            producers.put(v.name(), producer);
        }
    }

    private boolean isTaken(String n) {
        return values.containsKey(n) || (parent != null && parent.isTaken(n));
    }

    /** A fresh value name, scoped like node names, for outputs made with {@link #opNamed}. */
    public String freshName(String base) {
        return fresh(base);
    }

    private String nodeName(String op) {
        return fresh(op);
    }

    private String fresh(String base) {
        String prefix = scopes.isEmpty() ? "" : String.join("/", scopes.reversed()) + "/";
        return prefix + base + "_" + (counter.next++);
    }

    private static void sameType(String n, Value a, Value b) {
        if (a.dtype() != b.dtype()) {
            throw new GraphException(n + ": element types differ: " + a + " and " + b);
        }
    }

    private static void requireType(String n, Value v, DType t) {
        if (v.dtype() != t) {
            throw new GraphException(n + ": " + v + " must be " + t);
        }
    }

    private static void requireFloat(String n, Value v) {
        if (v.dtype() != DType.F32 && v.dtype() != DType.F16 && v.dtype() != DType.BF16 && v.dtype() != DType.F64) {
            throw new GraphException(n + ": " + v + " must be a float type");
        }
    }

    private static void requireIndex(String n, Value v) {
        if (v.dtype() != DType.I64 && v.dtype() != DType.I32) {
            throw new GraphException(n + ": indices " + v + " must be int64 or int32");
        }
    }

    private static int checkAxis(String n, Value x, int axis) {
        int a = axis < 0 ? axis + x.rank() : axis;
        if (a < 0 || a >= x.rank()) {
            throw new GraphException(n + ": axis " + axis + " out of range for " + x);
        }
        return a;
    }

    private static Shape reducedShape(String n, Value x, boolean keepDims, long[] axes) {
        boolean[] reduced = new boolean[x.rank()];
        for (long ax : axes) {
            reduced[checkAxis(n, x, (int) ax)] = true;
        }
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (!reduced[i]) {
                out.add(x.dim(i));
            } else if (keepDims) {
                out.add(Dim.of(1));
            }
        }
        return new Shape(out);
    }

    /** Numpy broadcasting of two shapes; differing known dims other than 1 are an error. */
    static Shape broadcast(String n, Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            int ia = i - (rank - a.rank());
            int ib = i - (rank - b.rank());
            Dim da = ia >= 0 ? a.dims().get(ia) : Dim.of(1);
            Dim db = ib >= 0 ? b.dims().get(ib) : Dim.of(1);
            out.add(broadcastDim(n, da, db, a, b));
        }
        return new Shape(out);
    }

    private static Dim broadcastDim(String n, Dim a, Dim b, Shape sa, Shape sb) {
        Dim one = Dim.of(1);
        if (a.equals(one)) {
            return b;
        }
        if (b.equals(one)) {
            return a;
        }
        if (a.isUnknown()) {
            return b.isUnknown() ? Dim.UNKNOWN : b;
        }
        if (b.isUnknown()) {
            return a;
        }
        if (!a.equals(b)) {
            throw new GraphException(n + ": cannot broadcast " + sa + " with " + sb + " (" + a + " vs " + b + ")");
        }
        return a;
    }
}
