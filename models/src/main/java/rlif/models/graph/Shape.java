package rlif.models.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The shape of a value: a list of {@link Dim}s (rank 0 for a scalar). */
public record Shape(List<Dim> dims) {
    public Shape {
        dims = List.copyOf(dims);
    }

    /** A shape of static sizes. */
    public static Shape of(long... sizes) {
        return new Shape(Arrays.stream(sizes).mapToObj(Dim::of).toList());
    }

    /** A shape from dims. */
    public static Shape of(Dim... dims) {
        return new Shape(List.of(dims));
    }

    /**
     * A shape from a mix of sizes and symbol names, e.g. {@code Shape.parse("batch", "seq", 64)}; a
     * {@link Dim} passes through.
     */
    public static Shape parse(Object... dims) {
        List<Dim> out = new ArrayList<>();
        for (Object d : dims) {
            out.add(switch (d) {
                case Dim x -> x;
                case Number n -> Dim.of(n.longValue());
                case String s -> Dim.parse(s);
                default -> throw new IllegalArgumentException("not a dimension: " + d);
            });
        }
        return new Shape(out);
    }

    public static Shape scalar() {
        return new Shape(List.of());
    }

    public int rank() {
        return dims.size();
    }

    public Dim dim(int axis) {
        return dims.get(normalizeAxis(axis));
    }

    /** Turns a possibly negative axis into an index in {@code [0, rank)}. */
    public int normalizeAxis(int axis) {
        int a = axis < 0 ? axis + dims.size() : axis;
        if (a < 0 || a >= dims.size()) {
            throw new IllegalArgumentException("axis " + axis + " out of range for rank " + dims.size() + " shape " + this);
        }
        return a;
    }

    public boolean isStatic() {
        return dims.stream().allMatch(Dim::isStatic);
    }

    /** Static sizes; only for {@link #isStatic()} shapes. */
    public long[] sizes() {
        return dims.stream().mapToLong(Dim::size).toArray();
    }

    /** The product of all dims (symbolic if some are). */
    public Dim elementCount() {
        Dim n = Dim.of(1);
        for (Dim d : dims) {
            n = n.times(d);
        }
        return n;
    }

    /** This shape with one dim replaced. */
    public Shape with(int axis, Dim d) {
        List<Dim> l = new ArrayList<>(dims);
        l.set(normalizeAxis(axis), d);
        return new Shape(l);
    }

    @Override
    public String toString() {
        return dims.stream().map(Dim::toString).collect(Collectors.joining(",", "[", "]"));
    }
}
