package rlif.models.graph;

import rlif.models.tensor.DType;

/**
 * A tensor-valued edge of a graph: a graph input, an initializer, a constant or a node output.
 *
 * <p>Names are unique within a graph and its subgraphs, so a value is identified by its name; the graph
 * that made it knows what produced it ({@link GraphBuilder#producer(Value)}).
 */
public record Value(String name, DType dtype, Shape shape) {
    public int rank() {
        return shape.rank();
    }

    public Dim dim(int axis) {
        return shape.dim(axis);
    }

    @Override
    public String toString() {
        return name + ":" + dtype + shape;
    }
}
