package rlif.trainer.graph;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gradient of one optimiser step, per trainable, summed in double over the step's micro-batches. Each
 * micro-batch's loss already carries its share of the step's normalisation (its token weights), so the sum is
 * the gradient of the whole step's loss, and summing in double keeps it independent of how the step was cut
 * into micro-batches beyond each part's own float32 rounding.
 */
public final class Gradients {
    private final Map<String, double[]> sums = new LinkedHashMap<>();

    /** Zero gradients of the given shapes. */
    public Gradients(Map<String, long[]> shapes) {
        shapes.forEach((name, shape) -> {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            sums.put(name, new double[Math.toIntExact(n)]);
        });
    }

    /** Adds one micro-batch's gradient of {@code name}, as ONNX Runtime returned it (float or double). */
    void add(String name, java.nio.Buffer values) {
        double[] sum = sums.get(name);
        if (values.remaining() != sum.length) {
            throw new IllegalStateException("gradient of " + name + " has " + values.remaining() + " values, expected "
                    + sum.length);
        }
        if (values instanceof FloatBuffer f) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += f.get(i);
            }
        } else {
            DoubleBuffer d = (DoubleBuffer) values;
            for (int i = 0; i < sum.length; i++) {
                sum[i] += d.get(i);
            }
        }
    }

    /** The sums by trainable name (the arrays themselves: clipping scales them in place). */
    public Map<String, double[]> values() {
        return Collections.unmodifiableMap(sums);
    }

    public double[] get(String name) {
        return sums.get(name);
    }
}
