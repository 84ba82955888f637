package rlif.kernels;

import java.util.HashMap;
import java.util.Map;

/**
 * The TornadoVM backend: the two stages of {@link TornadoKernelBodies} as one task graph per logits shape.
 *
 * <p>What stays on the device across calls: the shape, the exp table and the per-slot partials (allocated
 * once per shape, never copied back); what moves per call: the logits up (they are produced on the host by
 * ONNX Runtime, docs/gpu.md), the temperature, and 5 numbers per row down. A caller that can write logits
 * straight into {@link #hostLogits} (for example as ONNX Runtime's pinned output) saves the one host copy.
 *
 * <p>One instance serves one decode loop: it is not thread-safe (its host arrays are bound to the graphs).
 *
 * <p>TornadoVM classes are touched only through {@link TornadoPlan}, and only after {@link #runtimeProblem}
 * found the runtime: outside the TornadoVM launcher their static initialisers throw.
 */
public final class TornadoSignalKernel implements SignalKernel {
    /** Set by the TornadoVM launcher; without it the TornadoVM runtime is not there. */
    public static final String RUNTIME_PROPERTY = "tornado.load.runtime.implementation";

    private final boolean onDevice;
    private final Map<Long, Shape> shapes = new HashMap<>();

    private TornadoSignalKernel(boolean onDevice) {
        this.onDevice = onDevice;
    }

    /** Why the TornadoVM backend cannot run in this JVM, or null when it can. */
    public static String runtimeProblem() {
        if (System.getProperty(RUNTIME_PROPERTY) == null) {
            return "the TornadoVM runtime is not loaded (start the JVM with the TornadoVM launcher, "
                    + "which sets -D" + RUNTIME_PROPERTY + ")";
        }
        try {
            return TornadoPlan.deviceProblem();
        } catch (LinkageError | RuntimeException e) {
            return "the TornadoVM runtime failed to start: " + e;
        }
    }

    /** The backend on TornadoVM's default device; IllegalArgumentException saying why when it cannot run. */
    public static TornadoSignalKernel open() {
        String problem = runtimeProblem();
        if (problem != null) {
            throw new IllegalArgumentException("--kernels tornado is unavailable: " + problem);
        }
        return new TornadoSignalKernel(true);
    }

    /** The same kernels and data flow with each stage run as plain Java on the calling thread (for tests). */
    static TornadoSignalKernel onCpu() {
        return new TornadoSignalKernel(false);
    }

    @Override
    public String name() {
        return "tornado";
    }

    /** The host array the next call with this shape reads; writing logits here skips the staging copy. */
    public float[] hostLogits(int rows, int vocab) {
        return shape(rows, vocab).logits;
    }

    @Override
    public void compute(LogitRows logits, double temperature, int[] chosen, SignalBatch out) {
        KernelArgs.check(logits, temperature, chosen, out);
        int rows = logits.rows();
        int vocab = logits.vocab();
        if (rows == 0) {
            return;
        }
        Shape shape = shape(rows, vocab);
        stage(logits, shape.logits);
        shape.invTemperature[0] = (float) (1.0 / temperature);
        if (shape.plan != null) {
            shape.plan.execute();
        } else {
            TornadoKernelBodies.slotPartials(
                    shape.logits, shape.dims, shape.invTemperature, shape.pow2, shape.partials, shape.partialArgmax);
            TornadoKernelBodies.combineSlots(shape.partials, shape.partialArgmax, shape.dims, shape.invTemperature,
                    shape.pow2, shape.rowStats, shape.rowArgmax);
        }
        for (int r = 0; r < rows; r++) {
            double chosenZ = chosen == null ? Double.NaN : logits.get(r, chosen[r]) / temperature;
            TornadoKernelBodies.finishRow(shape.rowStats, shape.rowArgmax, r, vocab, temperature, chosenZ, out);
        }
    }

    /** Copies the logits into the graph's host array unless the caller already wrote them there. */
    private static void stage(LogitRows logits, float[] dst) {
        int n = dst.length;
        switch (logits) {
            case LogitRows.F32Array a -> {
                if (a.data() != dst || a.offset() != 0) {
                    System.arraycopy(a.data(), a.offset(), dst, 0, n);
                }
            }
            case LogitRows.F32Buffer b -> b.data().get(0, dst, 0, n);
            case LogitRows.F16Buffer h -> {
                for (int i = 0; i < n; i++) {
                    dst[i] = Float.float16ToFloat(h.data().get(i));
                }
            }
        }
    }

    private Shape shape(int rows, int vocab) {
        return shapes.computeIfAbsent(((long) rows << 32) | vocab, k -> new Shape(rows, vocab, onDevice));
    }

    @Override
    public void close() {
        for (Shape shape : shapes.values()) {
            if (shape.plan != null) {
                shape.plan.close();
            }
        }
        shapes.clear();
    }

    /** The host arrays bound to one task graph, for one (rows, vocab). */
    static final class Shape {
        final int[] dims;
        final float[] logits;
        final float[] invTemperature = new float[1];
        final float[] pow2 = TornadoKernelBodies.negativePowersOfTwo();
        final float[] partials;
        final int[] partialArgmax;
        final double[] rowStats;
        final int[] rowArgmax;
        final TornadoPlan plan;

        Shape(int rows, int vocab, boolean onDevice) {
            dims = TornadoKernelBodies.shape(rows, vocab);
            logits = new float[Math.multiplyExact(rows, vocab)];
            int slots = rows * dims[2];
            partials = new float[TornadoKernelBodies.PARTIAL * slots];
            partialArgmax = new int[slots];
            rowStats = new double[TornadoKernelBodies.PARTIAL * rows];
            rowArgmax = new int[rows];
            plan = onDevice ? new TornadoPlan(this) : null;
        }
    }
}
