package rlif.models.graph;

import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.LinkedHashMap;

/**
 * One recorded operator application: ONNX op type and domain ({@code ""} for the standard one,
 * {@link GraphBuilder#MS_DOMAIN} for ONNX Runtime's contrib operators), its inputs, outputs and attributes.
 *
 * <p>Nodes are kept in the order they were added, which is a topological order; an autodiff pass walks
 * them backwards.
 */
public record Node(String name, String opType, List<Value> inputs, List<Value> outputs, SequencedMap<String, Attr> attributes,
        String domain) {
    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = java.util.Collections.unmodifiableSequencedMap(new LinkedHashMap<>(attributes));
    }

    public Value input(int i) {
        return inputs.get(i);
    }

    public Value output() {
        return outputs.getFirst();
    }

    /** An integer attribute, or {@code fallback} when absent. */
    public long intAttr(String key, long fallback) {
        return attributes.get(key) instanceof Attr.Int i ? i.value() : fallback;
    }

    /** An integer-list attribute, or null when absent. */
    public long[] intsAttr(String key) {
        return attributes.get(key) instanceof Attr.Ints i ? i.toArray() : null;
    }

    /** A float attribute, or {@code fallback} when absent. */
    public float floatAttr(String key, float fallback) {
        return attributes.get(key) instanceof Attr.Float f ? f.value() : fallback;
    }

    static Map<String, Attr> none() {
        return Map.of();
    }

    @Override
    public String toString() {
        return name + " (" + opType + ")";
    }
}
