package rlif.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;
import rlif.models.tensor.Tensors;

/** A graph saved with external data reads back with identical tensors and runs under ONNX Runtime from its file. */
class OnnxRoundTripTest {
    @TempDir
    Path dir;

    private static float[] randn(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void savedTensorsReadBackIdenticalInEveryDtype() throws Exception {
        Random r = new Random(1);
        GraphBuilder g = new GraphBuilder("rt");
        Value x = g.input("x", DType.F32, Shape.parse("batch", 64));
        Tensor big = Tensor.ofFloats("w.big", new long[] {64, 32}, randn(r, 64 * 32)); // 8 KiB: external, page aligned
        Tensor half = Tensors.ofFloats("w.half", new long[] {32, 16}, randn(r, 512), DType.F16); // 1 KiB: external
        Tensor bf = Tensors.ofFloats("w.bf16", new long[] {300}, randn(r, 300), DType.BF16); // 600 B: inline
        Tensor small = Tensor.ofFloats("b.small", new long[] {32}, randn(r, 32)); // inline
        Tensor ints = Tensors.ofLongs("ids", new long[] {200}, r.longs(200).toArray()); // 1600 B: external
        Value w = g.initializer(big.name(), big);
        Value h = g.initializer(half.name(), half);
        g.initializer(bf.name(), bf);
        g.initializer(ints.name(), ints);
        Value b = g.initializer(small.name(), small);
        Value y = g.linear(x, w, b);
        g.output("y", g.matMul(g.cast(y, DType.F16), h));
        g.save(dir, "model.onnx");

        assertThat(dir.resolve("model.onnx.data")).exists();
        try (OnnxModel m = OnnxModel.read(dir.resolve("model.onnx"))) {
            var inits = m.initializers();
            for (Tensor t : new Tensor[] {big, half, bf, small, ints}) {
                Tensor back = inits.get(t.name());
                assertThat(back.dtype()).isEqualTo(t.dtype());
                assertThat(back.shape()).isEqualTo(t.shape());
                assertThat(back.data()).isEqualTo(t.data());
            }
            long external = m.proto().getGraph().getInitializerList().stream().filter(ExternalData::isExternal).count();
            assertThat(external).as("tensors of at least 1 KiB go external").isEqualTo(3);
            assertThat(m.opset()).isEqualTo(GraphBuilder.OPSET);
        }

        float[] xs = randn(r, 64);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
                OrtSession s = env.createSession(dir.resolve("model.onnx").toString(), so);
                OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(xs), new long[] {1, 64});
                OrtSession.Result res = s.run(Map.of("x", in))) {
            OnnxTensor out = (OnnxTensor) res.get("y").orElseThrow();
            assertThat(out.getInfo().getShape()).containsExactly(1, 16);
            // float16 reference: y = x W + b in double, rounded to f16, times the f16 weights; tolerance covers
            // f16 accumulation error of a 32-term dot product of values ~N(0, 8): ~1e-2 relative
            float[] wf = big.toFloats(), hf = half.toFloats(), bfl = small.toFloats();
            double[] yv = new double[32];
            for (int j = 0; j < 32; j++) {
                double acc = bfl[j];
                for (int k = 0; k < 64; k++) {
                    acc += xs[k] * (double) wf[k * 32 + j];
                }
                yv[j] = Float.float16ToFloat(Float.floatToFloat16((float) acc));
            }
            java.nio.ShortBuffer sb = out.getShortBuffer();
            for (int j = 0; j < 16; j++) {
                double e = 0, mag = 0;
                for (int k = 0; k < 32; k++) {
                    e += yv[k] * hf[k * 16 + j];
                    mag += Math.abs(yv[k] * hf[k * 16 + j]);
                }
                assertThat((double) Float.float16ToFloat(sb.get(j))).isCloseTo(e, org.assertj.core.api.Assertions.within(2e-3 * mag + 1e-2));
            }
        }
    }

    @Test
    void fileWithInlineDataInTypedFieldsReadsBack() throws Exception {
        var p = ai.onnx.proto.OnnxMl.TensorProto.newBuilder().setName("f").setDataType(DType.F16.onnxCode()).addDims(2)
                .addInt32Data(Float.floatToFloat16(1.5f)).addInt32Data(Float.floatToFloat16(-2f)).build();
        Tensor t = TensorProtos.fromInlineProto(p, "test");
        assertThat(t.toFloats()).containsExactly(1.5f, -2f);
        var q = ai.onnx.proto.OnnxMl.TensorProto.newBuilder().setName("f").setDataType(DType.F32.onnxCode()).addDims(3)
                .addFloatData(1).addFloatData(2).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TensorProtos.fromInlineProto(q, "m.onnx"))
                .isInstanceOf(rlif.models.BadInputException.class).hasMessageContaining("m.onnx").hasMessageContaining("2 values");
        Files.writeString(dir.resolve("junk.onnx"), "this is not protobuf at all");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OnnxModel.read(dir.resolve("junk.onnx")))
                .isInstanceOf(rlif.models.BadInputException.class).hasMessageContaining("junk.onnx");
    }
}
