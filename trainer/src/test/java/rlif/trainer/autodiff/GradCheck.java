package rlif.trainer.autodiff;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;

/**
 * Test harness: builds {@code y = f(x_1..x_n)} plus its autodiff backward for {@code L = sum(seed * y)}
 * with a random seed, runs it under ONNX Runtime, and compares every gradient element with the central
 * finite difference of L computed by re-running the forward pass with that one element moved by ±h.
 */
final class GradCheck {
    /** The forward function under test. */
    interface Forward {
        Value apply(GraphBuilder g, List<Value> xs);
    }

    /** Worst error of one check: |analytic - numeric| / max(1, |numeric|) over every element of every input. */
    record Result(double maxError, int elements) {}

    private GradCheck() {}

    static Result run(DType dtype, long[][] shapes, Forward f, long seed, double h) {
        GraphBuilder g = new GraphBuilder("gradcheck");
        List<Value> xs = new ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            xs.add(g.input("x" + i, dtype, Shape.of(shapes[i])));
        }
        Value y = f.apply(g, xs);
        g.output("y", y);
        long[] yShape = y.shape().sizes();
        Value seedIn = g.input("seed", dtype, Shape.of(yShape));
        Map<Value, Value> seeds = new LinkedHashMap<>();
        seeds.put(y, seedIn);
        Map<String, Value> grads = Autodiff.gradients(g, seeds, xs);
        for (int i = 0; i < xs.size(); i++) {
            g.output("grad" + i, grads.get("x" + i));
        }
        byte[] model = g.toModel().toByteArray();

        Random rnd = new Random(seed);
        double[][] x = new double[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            x[i] = new double[(int) count(shapes[i])];
            for (int j = 0; j < x[i].length; j++) {
                x[i][j] = rnd.nextGaussian();
            }
        }
        double[] s = new double[(int) count(yShape)];
        for (int j = 0; j < s.length; j++) {
            s[j] = rnd.nextGaussian();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, so)) {
                Map<String, double[]> out = run(env, session, dtype, shapes, x, yShape, s, null);
                double worst = 0;
                int elements = 0;
                for (int i = 0; i < shapes.length; i++) {
                    double[] analytic = out.get("grad" + i);
                    for (int j = 0; j < x[i].length; j++) {
                        double keep = x[i][j];
                        x[i][j] = keep + h;
                        double up = dot(s, run(env, session, dtype, shapes, x, yShape, s, "y").get("y"));
                        x[i][j] = keep - h;
                        double down = dot(s, run(env, session, dtype, shapes, x, yShape, s, "y").get("y"));
                        x[i][j] = keep;
                        double numeric = (up - down) / (2 * h);
                        worst = Math.max(worst, Math.abs(analytic[j] - numeric) / Math.max(1, Math.abs(numeric)));
                        elements++;
                    }
                }
                return new Result(worst, elements);
            }
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, double[]> run(OrtEnvironment env, OrtSession session, DType dtype, long[][] shapes,
            double[][] x, long[] yShape, double[] s, String only) throws OrtException {
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            for (int i = 0; i < shapes.length; i++) {
                in.put("x" + i, tensor(env, dtype, x[i], shapes[i]));
            }
            in.put("seed", tensor(env, dtype, s, yShape));
            Map<String, double[]> out = new HashMap<>();
            try (OrtSession.Result r = only == null ? session.run(in) : session.run(in, Set.of(only))) {
                for (var e : r) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    out.put(e.getKey(), values(t));
                }
            }
            return out;
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    static OnnxTensor tensor(OrtEnvironment env, DType dtype, double[] v, long[] shape) throws OrtException {
        if (dtype == DType.F64) {
            return OnnxTensor.createTensor(env, DoubleBuffer.wrap(v), shape);
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(f), shape);
    }

    static double[] values(OnnxTensor t) {
        if (t.getInfo().type == ai.onnxruntime.OnnxJavaType.DOUBLE) {
            DoubleBuffer b = t.getDoubleBuffer();
            double[] d = new double[b.remaining()];
            b.get(d);
            return d;
        }
        FloatBuffer b = t.getFloatBuffer();
        double[] d = new double[b.remaining()];
        for (int i = 0; i < d.length; i++) {
            d[i] = b.get(i);
        }
        return d;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
