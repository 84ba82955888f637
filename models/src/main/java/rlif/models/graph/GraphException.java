package rlif.models.graph;

/** A mistake found while building a graph (shape or type mismatch), naming the node it happened at. */
public class GraphException extends IllegalArgumentException {
    public GraphException(String message) {
        super(message);
    }
}
