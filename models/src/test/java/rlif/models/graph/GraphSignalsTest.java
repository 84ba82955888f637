package rlif.models.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import rlif.models.tensor.DType;

/**
 * {@link GraphSignals} run under ONNX Runtime against an independent double-precision two-pass computation of
 * docs/signals.md (maximum first, then sums; entropy as {@code sum p (lse - z)}), on float32 and float16
 * logits, vocabularies 1 to 49152, temperatures 0.3, 1 and 2, and the boundary cases.
 *
 * <p>Tolerance {@code 1e-6 (1 + H)} for every signal. The graph rounds {@code d = (x - max x) / T} to float32
 * (relative error {@code 2u}, {@code u = 2^-24}) and ORT's Exp adds a few ulps, so each {@code exp(d_j)} is off
 * by at most about {@code u (2|d_j| + 4)} relative; the sums are taken in double, so {@code log s} is off by
 * at most {@code u (2 E_p|d| + 4) <= u (2H + 4)} (as {@code E_p[-d] = H - log s <= H}); logsumexp, log-prob and
 * self-certainty add only double arithmetic on exact float32 inputs, and the entropy's {@code t / s} carries
 * the same relative error. {@code 1e-6 (1 + H)} is eight times that bound.
 */
class GraphSignalsTest {
    private final Random rnd = new Random(18);

    /** One case: rows of logits (already rounded to the dtype under test) and a target id per row. */
    private record Case(String name, float[][] rows, long[] ids) {}

    /** The double-precision reference for one row. */
    private record Reference(double lse, double entropy, double selfCertainty, double logprob) {
        static Reference of(float[] x, double t, long id) {
            int v = x.length;
            double[] z = new double[v];
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) {
                z[j] = x[j] / t;
                m = Math.max(m, z[j]);
            }
            double s = 0;
            for (int j = 0; j < v; j++) {
                s += Math.exp(z[j] - m);
            }
            double lse = m + Math.log(s);
            double h = 0;
            double mean = 0;
            for (int j = 0; j < v; j++) {
                double p = Math.exp(z[j] - lse);
                if (p > 0) {
                    h += p * (lse - z[j]);
                }
                mean += z[j] / v;
            }
            return new Reference(lse, h, lse - mean - Math.log(v), z[(int) id] - lse);
        }
    }

    private Case randomCase(String name, int rows, int vocab, java.util.function.DoubleSupplier value) {
        float[][] x = new float[rows][vocab];
        long[] ids = new long[rows];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < vocab; j++) {
                x[r][j] = (float) value.getAsDouble();
            }
            ids[r] = rnd.nextInt(vocab);
        }
        return new Case(name, x, ids);
    }

    private List<Case> cases(int vocab) {
        List<Case> cs = new ArrayList<>();
        cs.add(randomCase("near 0", 4, vocab, () -> 1e-3 * rnd.nextGaussian()));
        cs.add(randomCase("N(0,3)", 4, vocab, () -> 3 * rnd.nextGaussian()));
        cs.add(randomCase("uniform +-30", 4, vocab, () -> 60 * rnd.nextDouble() - 30));
        cs.add(randomCase("uniform +-1e4", 4, vocab, () -> 2e4 * rnd.nextDouble() - 1e4));
        cs.add(randomCase("all equal", 4, vocab, () -> 2.5));
        return cs;
    }

    /** The graph's four outputs for {@code c} at temperature {@code t}, logits fed as float32 and cast to {@code dtype} in the graph. */
    private static Map<String, double[]> run(Case c, double t, DType dtype, boolean temperatureAsInput) {
        int rows = c.rows().length;
        int vocab = c.rows()[0].length;
        GraphBuilder g = new GraphBuilder("signals");
        Value x = g.input("x", DType.F32, Shape.parse("batch", 2, vocab));
        Value ids = g.input("ids", DType.I64, Shape.parse("batch", 2));
        Value logits = dtype == DType.F32 ? x : g.cast(x, dtype);
        GraphSignals.PerPosition p = temperatureAsInput
                ? GraphSignals.of(g, logits, g.input("temperature", DType.F64, Shape.scalar()), ids)
                : GraphSignals.of(g, logits, t, ids);
        p.declareOutputs(g);
        // rows are laid out as [rows/2, 2 positions, vocab]
        float[] flat = new float[rows * vocab];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(c.rows()[r], 0, flat, r * vocab, vocab);
        }
        Map<String, OrtRunner.Input> in = new java.util.HashMap<>(Map.of(
                "x", OrtRunner.Input.floats(flat, rows / 2, 2, vocab),
                "ids", OrtRunner.Input.longs(c.ids(), rows / 2, 2)));
        return runDoubles(g.toModel().toByteArray(), in, temperatureAsInput ? t : null);
    }

    /** Runs the model and returns its double outputs by name (the signals are double). */
    static Map<String, double[]> runDoubles(byte[] model, Map<String, OrtRunner.Input> inputs, Double temperature) {
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        Map<String, ai.onnxruntime.OnnxTensor> ts = new java.util.HashMap<>();
        try (var so = new ai.onnxruntime.OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            try (var session = env.createSession(model, so)) {
                for (var e : inputs.entrySet()) {
                    OrtRunner.Input in = e.getValue();
                    ts.put(e.getKey(), in.floats() != null
                            ? ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(in.floats()), in.shape())
                            : ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(in.longs()), in.shape()));
                }
                if (temperature != null) {
                    ts.put("temperature", ai.onnxruntime.OnnxTensor.createTensor(env, temperature.doubleValue()));
                }
                Map<String, double[]> out = new java.util.HashMap<>();
                try (var r = session.run(ts)) {
                    for (var e : r) {
                        java.nio.DoubleBuffer b = ((ai.onnxruntime.OnnxTensor) e.getValue()).getDoubleBuffer();
                        double[] d = new double[b.remaining()];
                        b.get(d);
                        out.put(e.getKey(), d);
                    }
                }
                return out;
            }
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        } finally {
            ts.values().forEach(ai.onnxruntime.OnnxTensor::close);
        }
    }

    private static float[][] roundedTo(DType dtype, float[][] rows) {
        if (dtype == DType.F32) {
            return rows;
        }
        float[][] out = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = new float[rows[r].length];
            for (int j = 0; j < rows[r].length; j++) {
                out[r][j] = Float.float16ToFloat(Float.floatToFloat16(rows[r][j]));
            }
        }
        return out;
    }

    /** Largest error seen per output over every case, as a share of its tolerance. */
    private final double[] worstShare = new double[4];
    private final double[] worstAbs = new double[4];

    private void check(Case c, double t, DType dtype, boolean temperatureAsInput) {
        Map<String, double[]> out = run(c, t, dtype, temperatureAsInput);
        float[][] x = roundedTo(dtype, c.rows());
        for (int r = 0; r < x.length; r++) {
            Reference ref = Reference.of(x[r], t, c.ids()[r]);
            String where = c.name() + ", V=" + x[r].length + ", T=" + t + ", " + dtype + ", row " + r;
            double tol = 1e-6 * (1 + ref.entropy());
            expect(0, where + " logsumexp", out.get("logsumexp")[r], ref.lse(), tol);
            expect(1, where + " entropy", out.get("entropy")[r], ref.entropy(), tol);
            expect(2, where + " self-certainty", out.get("self_certainty")[r], ref.selfCertainty(), tol);
            expect(3, where + " log-prob", out.get("token_logprob")[r], ref.logprob(), tol);
        }
    }

    private void expect(int output, String what, double actual, double expected, double tol) {
        double err = Math.abs(actual - expected);
        assertThat(err).as("%s: graph %s, reference %s, tolerance %s", what, actual, expected, tol).isLessThanOrEqualTo(tol);
        worstShare[output] = Math.max(worstShare[output], err / tol);
        worstAbs[output] = Math.max(worstAbs[output], err);
    }

    @Test
    void signalsMatchTheDoubleReferenceOverVocabulariesTemperaturesAndDtypes() {
        for (int vocab : new int[] {1, 2, 7, 32000, 49152}) {
            for (Case c : cases(vocab)) {
                for (double t : new double[] {0.3, 1, 2}) {
                    check(c, t, DType.F32, false);
                    check(c, t, DType.F16, false);
                }
            }
        }
        // the largest errors, for docs/signals.md
        System.out.printf("GraphSignals worst |error| (share of tolerance): logsumexp %.2g (%.2f), entropy %.2g (%.2f),"
                        + " self-certainty %.2g (%.2f), log-prob %.2g (%.2f)%n", worstAbs[0], worstShare[0], worstAbs[1],
                worstShare[1], worstAbs[2], worstShare[2], worstAbs[3], worstShare[3]);
    }

    @Test
    void temperatureAsADoubleGraphInputGivesTheConstantTemperaturesResult() {
        Case c = randomCase("N(0,3)", 4, 32000, () -> 3 * rnd.nextGaussian());
        for (double t : new double[] {0.3, 1, 2}) {
            Map<String, double[]> constant = run(c, t, DType.F32, false);
            Map<String, double[]> input = run(c, t, DType.F32, true);
            for (String name : GraphSignals.OUTPUTS) {
                double[] a = constant.get(name);
                double[] b = input.get(name);
                for (int i = 0; i < a.length; i++) {
                    // the same divisions either way (1 skips them, and x / 1 is exact)
                    assertThat(b[i]).as("%s at T=%s, row %d", name, t, i).isEqualTo(a[i]);
                }
            }
        }
    }

    @Test
    void allEqualRowsAreUniform() {
        Case c = randomCase("all equal", 4, 32000, () -> -7.25);
        Map<String, double[]> out = run(c, 1, DType.F32, false);
        double logV = Math.log(32000);
        for (int r = 0; r < 4; r++) {
            assertThat(out.get("entropy")[r]).isCloseTo(logV, within(1e-6));
            assertThat(out.get("self_certainty")[r]).isCloseTo(0, within(1e-6));
            assertThat(out.get("token_logprob")[r]).isCloseTo(-logV, within(1e-6));
            assertThat(out.get("logsumexp")[r]).isCloseTo(-7.25 + logV, within(1e-6));
        }
    }

    @Test
    void negativeInfinityEntriesGiveInfiniteSelfCertaintyAndNaNEntropy() {
        Case c = randomCase("a third -inf", 2, 30, () -> 3 * rnd.nextGaussian());
        for (float[] row : c.rows()) {
            for (int j = 0; j < row.length; j += 3) {
                row[j] = Float.NEGATIVE_INFINITY;
            }
        }
        c.ids()[0] = 1;
        c.ids()[1] = 2;
        Map<String, double[]> out = run(c, 1, DType.F32, false);
        for (int r = 0; r < 2; r++) {
            Reference ref = Reference.of(c.rows()[r], 1, c.ids()[r]);
            assertThat(out.get("logsumexp")[r]).isCloseTo(ref.lse(), within(1e-6));
            assertThat(out.get("token_logprob")[r]).isCloseTo(ref.logprob(), within(1e-6));
            assertThat(out.get("self_certainty")[r]).isEqualTo(Double.POSITIVE_INFINITY);
            // documented difference from the kernels (which give the finite entropy): 0 * -inf inside the sum
            assertThat(out.get("entropy")[r]).isNaN();
        }
    }

    @Test
    void refusesWhatItCannotComputeByName() {
        GraphBuilder g = new GraphBuilder("bad");
        Value ints = g.input("x", DType.I64, Shape.parse("batch", 8));
        assertThatThrownBy(() -> GraphSignals.of(g, ints, 1.0, null)).hasMessageContaining("float16, bfloat16, float32 or float64");
        Value x = g.input("y", DType.F32, Shape.parse("batch", "vocab"));
        assertThatThrownBy(() -> GraphSignals.of(g, x, 1.0, null)).hasMessageContaining("static vocabulary");
        Value z = g.input("z", DType.F32, Shape.parse("batch", 8));
        assertThatThrownBy(() -> GraphSignals.of(g, z, 0.0, null)).hasMessageContaining("positive");
        Value t = g.input("t", DType.F16, Shape.scalar());
        assertThatThrownBy(() -> GraphSignals.of(g, z, t, null)).hasMessageContaining("float32 or float64 scalar");
        Value ids = g.input("ids", DType.I64, Shape.parse("batch", 1));
        assertThatThrownBy(() -> GraphSignals.of(g, z, 1.0, ids)).hasMessageContaining("without its last axis");
    }
}
