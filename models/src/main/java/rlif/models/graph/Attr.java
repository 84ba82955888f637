package rlif.models.graph;

import java.util.List;
import rlif.models.tensor.Tensor;

/** A node attribute, one case per ONNX {@code AttributeProto} type the builder emits. */
public sealed interface Attr {
    /** An integer attribute ({@code axis}, {@code keepdims}, {@code to}). */
    record Int(long value) implements Attr {}

    /** A list of integers ({@code perm}, {@code axes}). */
    record Ints(List<Long> values) implements Attr {
        public Ints {
            values = List.copyOf(values);
        }

        public long[] toArray() {
            return values.stream().mapToLong(Long::longValue).toArray();
        }
    }

    /** A float attribute ({@code alpha}, {@code epsilon}). */
    record Float(float value) implements Attr {}

    /** A list of floats. */
    record Floats(List<java.lang.Float> values) implements Attr {
        public Floats {
            values = List.copyOf(values);
        }
    }

    /** A string attribute. */
    record Str(String value) implements Attr {}

    /** A tensor attribute ({@code ConstantOfShape}'s value). */
    record TensorValue(Tensor value) implements Attr {}

    /** A subgraph ({@code Loop}'s body). */
    record Graph(GraphBuilder body) implements Attr {}

    static Ints ints(long... v) {
        return new Ints(java.util.Arrays.stream(v).boxed().toList());
    }
}
