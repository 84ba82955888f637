package rlif.trainer.params;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * The tensors a run trains, by graph input name, with their current float32 values: LoRA A/B matrices
 * or, for full training, every weight. The optimiser updates the arrays in place; graphs read them as inputs.
 */
public final class Trainables {
    /** One trainable tensor: graph input name, shape, values (row-major). */
    public record Param(String name, long[] shape, float[] values) {
        public Param {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != values.length) {
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + n
                        + " values, got " + values.length);
            }
        }
    }

    private final SequencedMap<String, Param> params = new LinkedHashMap<>();

    /** Registers a tensor unless one of that name exists (graphs built twice share their trainables). */
    public Param register(String name, long[] shape, float[] initial) {
        Param p = params.get(name);
        if (p != null) {
            if (!Arrays.equals(p.shape(), shape)) {
                throw new IllegalStateException(name + " registered with shapes " + Arrays.toString(p.shape())
                        + " and " + Arrays.toString(shape));
            }
            return p;
        }
        p = new Param(name, shape.clone(), initial);
        params.put(name, p);
        return p;
    }

    public SequencedMap<String, Param> params() {
        return java.util.Collections.unmodifiableSequencedMap(params);
    }

    public Param get(String name) {
        return params.get(name);
    }

    /** The values by name (the arrays themselves, for the optimiser). */
    public Map<String, float[]> values() {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, p) -> out.put(k, p.values()));
        return out;
    }

    /** A deep copy (e.g. the reference policy's values). */
    public Map<String, float[]> snapshot() {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, p) -> out.put(k, p.values().clone()));
        return out;
    }

    /** Overwrites the values of every parameter from {@code values} (a checkpoint). */
    public void load(Map<String, float[]> values) {
        for (Param p : params.values()) {
            float[] v = values.get(p.name());
            if (v == null || v.length != p.values().length) {
                throw new IllegalArgumentException("checkpoint lacks " + p.name() + " or has the wrong size");
            }
            System.arraycopy(v, 0, p.values(), 0, v.length);
        }
    }

    public long elementCount() {
        long n = 0;
        for (Param p : params.values()) {
            n += p.values().length;
        }
        return n;
    }
}
