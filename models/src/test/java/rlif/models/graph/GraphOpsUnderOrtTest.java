package rlif.models.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * Every builder op, exported and run under ONNX Runtime, against a plain-Java computation.
 *
 * <p>Tolerance 1e-5 absolute: float32 elementwise ops and short reductions over values of magnitude ~1
 * are within a few ulps (~1e-7 relative); transcendental kernels of ORT's MLAS differ from
 * java.lang.Math by up to ~1e-6.
 */
class GraphOpsUnderOrtTest {
    private static final double TOL = 1e-5;
    private final Random rnd = new Random(7);

    private float[] randn(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    private static void assertClose(float[] actual, double[] expected) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(TOL));
        }
    }

    private static double[] map(float[] x, DoubleUnaryOperator f) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = f.applyAsDouble(x[i]);
        }
        return out;
    }

    @Test
    void unaryAndBinaryOpsMatchJavaMath() {
        GraphBuilder g = new GraphBuilder("t");
        Value x = g.input("x", DType.F32, Shape.parse("batch", 3));
        Value y = g.input("y", DType.F32, Shape.parse(3));
        Value two = g.scalar(2, DType.F32);
        Value one = g.scalar(1, DType.F32);
        Value ax = g.add(g.abs(x), one);
        g.output("sqrt", g.sqrt(ax));
        g.output("recip", g.reciprocal(ax));
        g.output("neg", g.neg(x));
        g.output("exp", g.exp(x));
        g.output("log", g.log(ax));
        g.output("sigmoid", g.sigmoid(x));
        g.output("tanh", g.tanh(x));
        g.output("erf", g.erf(x));
        g.output("cos", g.cos(x));
        g.output("sin", g.sin(x));
        g.output("pow", g.pow(ax, two));
        g.output("add", g.add(x, y));
        g.output("sub", g.sub(x, y));
        g.output("mul", g.mul(x, y));
        g.output("div", g.div(x, g.add(g.abs(y), one)));
        g.output("max", g.max(x, y));
        g.output("min", g.min(x, y));
        g.output("where", g.where(g.less(x, y), x, g.mul(y, two)));
        g.output("cast", g.cast(g.greater(x, y), DType.F32));

        float[] xs = randn(6);
        float[] ys = randn(3);
        var out = OrtRunner.run(g.toModel().toByteArray(), Map.of("x", OrtRunner.Input.floats(xs, 2, 3), "y", OrtRunner.Input.floats(ys, 3)));
        assertClose(out.get("sqrt").data(), map(xs, v -> Math.sqrt(Math.abs(v) + 1)));
        assertClose(out.get("recip").data(), map(xs, v -> 1 / (Math.abs(v) + 1)));
        assertClose(out.get("neg").data(), map(xs, v -> -v));
        assertClose(out.get("exp").data(), map(xs, Math::exp));
        assertClose(out.get("log").data(), map(xs, v -> Math.log(Math.abs(v) + 1)));
        assertClose(out.get("sigmoid").data(), map(xs, v -> 1 / (1 + Math.exp(-v))));
        assertClose(out.get("tanh").data(), map(xs, Math::tanh));
        assertClose(out.get("erf").data(), map(xs, GraphOpsUnderOrtTest::erf));
        assertClose(out.get("cos").data(), map(xs, Math::cos));
        assertClose(out.get("sin").data(), map(xs, Math::sin));
        assertClose(out.get("pow").data(), map(xs, v -> Math.pow(Math.abs(v) + 1, 2)));
        double[] mn = new double[6];
        double[] add = new double[6], sub = new double[6], mul = new double[6], div = new double[6], mx = new double[6],
                wh = new double[6], gt = new double[6];
        for (int i = 0; i < 6; i++) {
            double a = xs[i], b = ys[i % 3];
            add[i] = a + b;
            sub[i] = a - b;
            mul[i] = a * b;
            div[i] = a / (Math.abs(b) + 1);
            mx[i] = Math.max(a, b);
            mn[i] = Math.min(a, b);
            wh[i] = a < b ? a : 2 * b;
            gt[i] = a > b ? 1 : 0;
        }
        assertClose(out.get("add").data(), add);
        assertClose(out.get("sub").data(), sub);
        assertClose(out.get("mul").data(), mul);
        assertClose(out.get("div").data(), div);
        assertClose(out.get("max").data(), mx);
        assertClose(out.get("min").data(), mn);
        assertClose(out.get("where").data(), wh);
        assertClose(out.get("cast").data(), gt);
    }

    @Test
    void matMulReductionsAndNormalisersMatchJava() {
        GraphBuilder g = new GraphBuilder("t");
        Value x = g.input("x", DType.F32, Shape.parse("batch", 2, 3));
        float[] ws = randn(12);
        float[] bs = randn(4);
        Value w = g.initializer("w", Tensor.ofFloats("w", new long[] {3, 4}, ws));
        Value b = g.initializer("b", Tensor.ofFloats("b", new long[] {4}, bs));
        Value lin = g.linear(x, w, b);
        assertThat(lin.shape()).isEqualTo(Shape.parse("batch", 2, 4));
        g.output("linear", lin);
        g.output("mean", g.reduceMean(x, true, -1));
        g.output("sum", g.reduceSum(x, false, 1, 2));
        g.output("max", g.reduceMax(x, false, -1));
        g.output("softmax", g.softmax(x, -1));
        g.output("logsoftmax", g.logSoftmax(x, -1));
        float[] xs = randn(12);
        var out = OrtRunner.run(g.toModel().toByteArray(), Map.of("x", OrtRunner.Input.floats(xs, 2, 2, 3)));

        double[] lr = new double[16];
        double[] mean = new double[4], max = new double[4], sum = new double[2], sm = new double[12], lsm = new double[12];
        for (int r = 0; r < 4; r++) {
            double m = Double.NEGATIVE_INFINITY, s = 0;
            for (int k = 0; k < 3; k++) {
                m = Math.max(m, xs[r * 3 + k]);
                s += xs[r * 3 + k];
            }
            mean[r] = s / 3;
            max[r] = m;
            sum[r / 2] += s;
            double z = 0;
            for (int k = 0; k < 3; k++) {
                z += Math.exp(xs[r * 3 + k] - m);
            }
            for (int k = 0; k < 3; k++) {
                sm[r * 3 + k] = Math.exp(xs[r * 3 + k] - m) / z;
                lsm[r * 3 + k] = xs[r * 3 + k] - m - Math.log(z);
            }
            for (int j = 0; j < 4; j++) {
                double acc = bs[j];
                for (int k = 0; k < 3; k++) {
                    acc += xs[r * 3 + k] * (double) ws[k * 4 + j];
                }
                lr[r * 4 + j] = acc;
            }
        }
        assertClose(out.get("linear").data(), lr);
        assertThat(out.get("linear").shape()).containsExactly(2, 2, 4);
        assertClose(out.get("mean").data(), mean);
        assertThat(out.get("mean").shape()).containsExactly(2, 2, 1);
        assertClose(out.get("sum").data(), sum);
        assertClose(out.get("max").data(), max);
        assertClose(out.get("softmax").data(), sm);
        assertClose(out.get("logsoftmax").data(), lsm);
    }

    @Test
    void shapeOpsMoveElementsLikeNumpy() {
        GraphBuilder g = new GraphBuilder("t");
        Value x = g.input("x", DType.F32, Shape.parse("batch", "seq", 4)); // fed [2,3,4], values = flat index
        Value ids = g.input("ids", DType.I64, Shape.parse("n"));
        Value t = g.transpose(x, 0, 2, 1);
        assertThat(t.shape()).isEqualTo(Shape.parse("batch", 4, "seq"));
        g.output("transpose", t);
        Value r = g.reshape(x, 0, 0, 2, 2);
        assertThat(r.shape()).isEqualTo(Shape.parse("batch", "seq", 2, 2));
        Value back = g.reshape(r, 0, -1, 4);
        assertThat(back.shape()).isEqualTo(x.shape());
        g.output("reshape", g.reshape(back, 0, 2, -1));
        Value half = g.slice(x, 2, 2, Long.MAX_VALUE);
        assertThat(half.shape()).isEqualTo(Shape.parse("batch", "seq", 2));
        Value cat = g.concat(2, half, g.slice(x, 2, 0, 2));
        assertThat(cat.shape()).isEqualTo(x.shape());
        g.output("concat", cat);
        Value last = g.slice(x, 1, -1, Long.MAX_VALUE);
        assertThat(last.shape()).isEqualTo(Shape.parse("batch", 1, 4));
        g.output("squeeze", g.squeeze(last, 1));
        g.output("unsqueeze", g.unsqueeze(g.squeeze(last, 1), 0, -1));
        Value rows = g.gather(g.reshape(x, -1, 4), ids, 0);
        assertThat(rows.shape()).isEqualTo(Shape.parse("n", 4));
        g.output("gather", rows);
        Value picks = g.input("picks", DType.I64, Shape.parse("batch", "seq", 1));
        Value picked = g.gatherElements(x, picks, -1);
        assertThat(picked.shape()).isEqualTo(Shape.parse("batch", "seq", 1));
        g.output("gatherElements", picked);
        g.output("shape", g.shape(x, 0, 2));
        Value n = g.shape(x, 1, 2);
        Value ar = g.range(g.int64(0), g.squeeze(n, 0), g.int64(1), x.dim(1));
        g.output("range", ar);
        Value ones = g.constantOfShape(g.concat(0, n, n), Tensor.ofFloats("v", new long[] {1}, new float[] {1}), Shape.of(x.dim(1), x.dim(1)));
        g.output("tril", g.trilu(ones, false, 0));
        g.output("expand", g.expand(g.unsqueeze(ar, 0), g.concat(0, g.ints(2), n), Shape.of(Dim.of(2), x.dim(1))));

        float[] xs = new float[24];
        for (int i = 0; i < 24; i++) {
            xs[i] = i;
        }
        var out = OrtRunner.run(g.toModel().toByteArray(),
                Map.of("x", OrtRunner.Input.floats(xs, 2, 3, 4), "ids", OrtRunner.Input.longs(new long[] {5, 0}, 2),
                        "picks", OrtRunner.Input.longs(new long[] {3, 0, 1, 2, 2, 0}, 2, 3, 1)));
        double[] tr = new double[24];
        double[] cc = new double[24];
        for (int b = 0; b < 2; b++) {
            for (int s = 0; s < 3; s++) {
                for (int k = 0; k < 4; k++) {
                    tr[b * 12 + k * 3 + s] = b * 12 + s * 4 + k;
                    cc[b * 12 + s * 4 + k] = b * 12 + s * 4 + (k + 2) % 4;
                }
            }
        }
        assertClose(out.get("transpose").data(), tr);
        assertThat(out.get("reshape").shape()).containsExactly(2, 2, 6);
        assertClose(out.get("reshape").data(), map(xs, v -> v));
        assertClose(out.get("concat").data(), cc);
        assertClose(out.get("squeeze").data(), new double[] {8, 9, 10, 11, 20, 21, 22, 23});
        assertThat(out.get("unsqueeze").shape()).containsExactly(1, 2, 4, 1);
        assertClose(out.get("gather").data(), new double[] {20, 21, 22, 23, 0, 1, 2, 3});
        assertClose(out.get("gatherElements").data(), new double[] {3, 4, 9, 14, 18, 20});
        assertClose(out.get("shape").data(), new double[] {2, 3});
        assertClose(out.get("range").data(), new double[] {0, 1, 2});
        assertClose(out.get("tril").data(), new double[] {1, 0, 0, 1, 1, 0, 1, 1, 1});
        assertClose(out.get("expand").data(), new double[] {0, 1, 2, 0, 1, 2});
    }

    @Test
    void loopCarriesStateAndStacksScanOutputs() {
        GraphBuilder g = new GraphBuilder("t");
        Value x = g.input("x", DType.F32, Shape.parse(3));
        GraphBuilder body = g.subgraph("body");
        Value iter = body.input("iter", DType.I64, Shape.scalar());
        Value cond = body.input("cond_in", DType.BOOL, Shape.scalar());
        Value acc = body.input("acc", DType.F32, Shape.parse(3));
        Value next = body.add(acc, x); // x comes from the enclosing graph
        body.output("cond_out", body.identity(cond));
        body.output("acc_out", next);
        body.output("scan", body.mul(next, body.cast(iter, DType.F32)));
        Value trueV = g.constant(new Tensor("c", DType.BOOL, new long[0], java.nio.ByteBuffer.wrap(new byte[] {1})));
        List<Value> outs = g.loop(g.int64(4), trueV, List.of(g.mul(x, g.scalar(0, DType.F32))), body, Dim.of(4));
        assertThat(outs.get(1).shape()).isEqualTo(Shape.of(4, 3));
        g.output("final", outs.get(0));
        g.output("stacked", outs.get(1));
        var out = OrtRunner.run(g.toModel().toByteArray(), Map.of("x", OrtRunner.Input.floats(new float[] {1, 2, 3}, 3)));
        assertClose(out.get("final").data(), new double[] {4, 8, 12});
        // iteration i (0-based) emits (i+1)*x*i
        assertClose(out.get("stacked").data(), new double[] {0, 0, 0, 2, 4, 6, 6, 12, 18, 12, 24, 36});
    }

    /** erf by its Maclaurin series (converges fast for |x| < 4, which randn values are). */
    static double erf(double x) {
        double sum = 0, term = x;
        for (int n = 0; n < 80; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
