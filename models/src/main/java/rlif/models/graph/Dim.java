package rlif.models.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * One dimension of a value's shape: a static size, a product of named symbols times a constant
 * ({@code batch}, {@code 2*seq}), or unknown.
 *
 * <p>Symbols are what make build-time shape checks useful on graphs whose batch and sequence lengths are
 * only known at run time: {@code [batch, seq, 64] @ [64, 128]} is checked, {@code batch} against
 * {@code seq} is an error. A sum such as {@code past_seq+seq} (the length after a KV-cache concat) is kept
 * as one opaque symbol so that it compares equal wherever it is built the same way.
 *
 * @param coefficient the constant factor; {@code -1} for an unknown dimension
 * @param symbols the symbol factors, sorted; empty for a static dimension
 */
public record Dim(long coefficient, List<String> symbols) {
    /** A dimension nothing is known about (it matches anything). */
    public static final Dim UNKNOWN = new Dim(-1, List.of());

    public Dim {
        symbols = List.copyOf(symbols.stream().sorted().toList());
        if (coefficient < -1 || (coefficient == -1 && !symbols.isEmpty())) {
            throw new IllegalArgumentException("bad dimension " + coefficient + " " + symbols);
        }
    }

    /** A static size. */
    public static Dim of(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative dimension " + size);
        }
        return new Dim(size, List.of());
    }

    /** A named symbolic size such as {@code "batch"}. */
    public static Dim sym(String name) {
        if (name.isEmpty() || name.equals("?")) {
            throw new IllegalArgumentException("bad symbol name '" + name + "'");
        }
        return new Dim(1, List.of(name));
    }

    /** Parses what {@link #toString()} prints for a single symbol or number ({@code "batch"}, {@code "8"}, {@code "?"}). */
    public static Dim parse(String s) {
        if (s.equals("?")) {
            return UNKNOWN;
        }
        if (s.chars().allMatch(Character::isDigit)) {
            return of(Long.parseLong(s));
        }
        return sym(s);
    }

    public boolean isUnknown() {
        return coefficient == -1;
    }

    public boolean isStatic() {
        return coefficient >= 0 && symbols.isEmpty();
    }

    /** The static size; only for {@link #isStatic()} dims. */
    public long size() {
        if (!isStatic()) {
            throw new IllegalStateException("dimension " + this + " is not static");
        }
        return coefficient;
    }

    /** The product of two dimensions. */
    public Dim times(Dim o) {
        if (isUnknown() || o.isUnknown()) {
            return UNKNOWN;
        }
        if (coefficient == 0 || o.coefficient == 0) {
            return of(0);
        }
        List<String> s = new ArrayList<>(symbols);
        s.addAll(o.symbols);
        return new Dim(Math.multiplyExact(coefficient, o.coefficient), s);
    }

    /** This dimension divided by {@code o}, or {@link #UNKNOWN} when the quotient is not expressible. */
    public Dim dividedBy(Dim o) {
        if (isUnknown() || o.isUnknown() || o.coefficient == 0 || coefficient % o.coefficient != 0) {
            return UNKNOWN;
        }
        List<String> s = new ArrayList<>(symbols);
        for (String x : o.symbols) {
            if (!s.remove(x)) {
                return UNKNOWN;
            }
        }
        return new Dim(coefficient / o.coefficient, s);
    }

    /** The sum of two dimensions; symbolic sums become one opaque symbol {@code "a+b"}. */
    public Dim plus(Dim o) {
        if (isUnknown() || o.isUnknown()) {
            return UNKNOWN;
        }
        if (isStatic() && o.isStatic()) {
            return of(Math.addExact(coefficient, o.coefficient));
        }
        if (isStatic() && coefficient == 0) {
            return o;
        }
        if (o.isStatic() && o.coefficient == 0) {
            return this;
        }
        return sym(this + "+" + o);
    }

    /** This dimension less a constant; symbolic results become one opaque symbol {@code "seq-1"}. */
    public Dim minus(long k) {
        if (isUnknown() || k == 0) {
            return this;
        }
        if (isStatic()) {
            return of(coefficient - k);
        }
        return k > 0 ? sym(this + "-" + k) : sym(this + "+" + (-k));
    }

    /** Whether the two could be equal at run time (unknown matches anything). */
    public boolean compatible(Dim o) {
        return isUnknown() || o.isUnknown() || equals(o);
    }

    @Override
    public String toString() {
        if (isUnknown()) {
            return "?";
        }
        if (symbols.isEmpty()) {
            return Long.toString(coefficient);
        }
        String s = String.join("*", symbols);
        return coefficient == 1 ? s : coefficient + "*" + s;
    }
}
