package rlif.models.arch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rlif.models.gguf.GgmlType;
import rlif.models.gguf.GgufQuantized;
import rlif.models.gguf.ReferenceQuantizer;
import rlif.models.graph.Dim;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.quant.BlockQuantized;
import rlif.models.quant.RtnQuantizer;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * ONNX Runtime's {@code MatMulNBits} reads our blocks as we mean them: {@code x @ W^T} from the graph equals the same
 * product in double over {@link BlockQuantized#dequantize()}, for every kind of block the importer writes (4 and 8
 * bits, blocks of 32 and 16, with and without zero points and offsets). The in-graph dequantization (the training
 * graph's path) agrees too.
 *
 * <p>Tolerances. MatMulNBits at accuracy level 4 rounds each block of {@code x} to int8 with scale {@code max|x_b| /
 * 127}, so each {@code x_k} moves by at most half that step and the product by at most {@code sum_b max|x_b| / 254 *
 * sum_{k in b} |W_nk|}; the offsets' share and the float path add float32 rounding, {@code 1e-5 * sum_k |x_k W_nk|}.
 * The in-graph path is float32 throughout: {@code 1e-5 * sum_k |x_k W_nk|}.
 */
class BlockedLinearTest {
    enum Kind { RTN4, RTN8, Q4_0, Q4_1, Q8_0, Q4_K, Q5_K, Q6_K }

    static final int OUT = 24;
    static final int IN = 256;

    static BlockQuantized weight(Kind kind) {
        Random rnd = new Random(kind.ordinal() + 1);
        float[] w = new float[OUT * IN];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() * 0.05 + (i / 32 % 3 == 0 ? 0.02 : -0.01));
        }
        return switch (kind) {
            case RTN4 -> RtnQuantizer.quantize(w, OUT, IN, 4, 32);
            case RTN8 -> RtnQuantizer.quantize(w, OUT, IN, 8, 32);
            default -> {
                GgmlType t = GgmlType.valueOf(kind.name());
                ReferenceQuantizer ref = switch (t) {
                    case Q4_0 -> ReferenceQuantizer.q4_0(w);
                    case Q4_1 -> ReferenceQuantizer.q4_1(w);
                    case Q8_0 -> ReferenceQuantizer.q8_0(w);
                    case Q4_K -> ReferenceQuantizer.q4_K(w);
                    case Q5_K -> ReferenceQuantizer.q5_K(w);
                    default -> ReferenceQuantizer.q6_K(w);
                };
                yield GgufQuantized.of(t, java.nio.ByteBuffer.wrap(ref.bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN),
                        OUT, IN);
            }
        };
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void matMulNBitsAndTheInGraphDequantizationMatchTheDoubleProduct(Kind kind) throws Exception {
        BlockQuantized q = weight(kind);
        float[] w = q.dequantize();
        int rows = 3;
        float[] x = new float[rows * IN];
        Random rnd = new Random(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * (1 + i % 5));
        }
        float[][] ys = run(q, x, rows);
        for (int path = 0; path < 2; path++) {
            double worst = 0;
            for (int r = 0; r < rows; r++) {
                for (int n = 0; n < OUT; n++) {
                    double exact = 0;
                    double magnitude = 0;
                    double int8Bound = 0;
                    for (int b = 0; b < IN / q.blockSize(); b++) {
                        double amax = 0;
                        double wsum = 0;
                        for (int k = b * q.blockSize(); k < (b + 1) * q.blockSize(); k++) {
                            amax = Math.max(amax, Math.abs(x[r * IN + k]));
                            wsum += Math.abs(w[n * IN + k]);
                            exact += (double) x[r * IN + k] * w[n * IN + k];
                            magnitude += Math.abs((double) x[r * IN + k] * w[n * IN + k]);
                        }
                        int8Bound += amax / 254 * wsum;
                    }
                    double tol = 1e-5 * magnitude + (path == 0 ? int8Bound : 0);
                    double err = Math.abs(ys[path][r * OUT + n] - exact);
                    assertThat(err).as("%s path %d row %d out %d", kind, path, r, n).isLessThanOrEqualTo(tol);
                    worst = Math.max(worst, err / tol);
                }
            }
            System.out.printf("[blocked] %s %s: worst error %.3f of the tolerance%n", kind,
                    path == 0 ? "MatMulNBits" : "in-graph", worst);
        }
    }

    /** {@code x [1, rows, IN] @ W^T} through MatMulNBits (output 0) and through the in-graph dequantization (1). */
    private static float[][] run(BlockQuantized q, float[] x, int rows) throws Exception {
        GraphBuilder g = new GraphBuilder("blocked");
        Value in = g.input("x", DType.F32, Shape.of(Dim.of(1), Dim.sym("rows"), Dim.of(IN)));
        WeightSource source = new WeightSource() {
            @Override
            public Tensor get(String hfName) {
                return Tensor.ofFloats(hfName, new long[] {OUT, IN}, q.dequantize());
            }

            @Override
            public Set<String> names() {
                return Set.of("w");
            }

            @Override
            public Optional<BlockQuantized> quantized(String hfName) {
                return Optional.of(q);
            }
        };
        LinearWeight viaOp = new CheckedWeights(source, g, new DecoderOptions(DType.F32, true, LayerHooks.DEFAULT,
                LinearWeights.asStored())).linear("w", OUT, IN);
        GraphBuilder g2 = g; // the same graph, the weight declared a second time under the in-graph path
        LinearWeight viaDequant = new CheckedWeights(renamed(source), g2, new DecoderOptions(DType.F32, false,
                LayerHooks.DEFAULT, LinearWeights.asStored().dequantizedInGraph())).linear("w2", OUT, IN);
        assertThat(viaOp).isInstanceOf(BlockedLinear.class);
        g.output("y_op", viaOp.times(g, in));
        g.output("y_dequant", viaDequant.times(g, in));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
                OrtSession s = env.createSession(g.toModel().toByteArray(), so);
                OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, rows, IN});
                OrtSession.Result r = s.run(Map.of("x", xt))) {
            float[][] out = new float[2][];
            int i = 0;
            for (String name : List.of("y_op", "y_dequant")) {
                FloatBuffer b = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
                out[i] = new float[b.remaining()];
                b.get(out[i++]);
            }
            return out;
        }
    }

    private static WeightSource renamed(WeightSource s) {
        return new WeightSource() {
            @Override
            public Tensor get(String hfName) {
                return s.get("w");
            }

            @Override
            public Set<String> names() {
                return Set.of("w2");
            }

            @Override
            public Optional<BlockQuantized> quantized(String hfName) {
                return s.quantized("w");
            }
        };
    }
}
