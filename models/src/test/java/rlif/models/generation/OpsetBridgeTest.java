package rlif.models.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import rlif.models.BadInputException;

/** Lifted nodes compute under the newer opset what the originals computed under theirs, as ONNX Runtime runs both. */
class OpsetBridgeTest {
    private static final float[] X = {1, -2, 3, 0.5f, 4, -1};

    @Test
    void opset11AxesAttributesBecomeInputsWithTheSameResults() throws Exception {
        List<OnnxMl.NodeProto> nodes = List.of(
                node("Unsqueeze", List.of("x"), List.of("u"), ints("axes", 0)),
                node("ReduceSum", List.of("u"), List.of("r"), ints("axes", 2), intAttr("keepdims", 0)),
                node("Squeeze", List.of("r"), List.of("a"), ints("axes", 0)),
                node("Split", List.of("x"), List.of("s1", "s2"), intAttr("axis", 1), ints("split", 1, 2)),
                node("Softmax", List.of("x"), List.of("p"), intAttr("axis", -1)));
        List<String> outputs = List.of("a", "s1", "s2", "p");
        Map<String, float[]> before = run(model(nodes, 11, outputs));
        Map<String, float[]> after = run(model(OpsetBridge.lift(nodes, 11, 17, "test", "t"), 17, outputs));
        for (String o : outputs) {
            assertThat(after.get(o)).as(o).containsExactly(before.get(o));
        }
    }

    @Test
    void opset17ReductionsLiftToOpset18() throws Exception {
        List<OnnxMl.NodeProto> nodes = List.of(
                node("ReduceMax", List.of("x"), List.of("m"), ints("axes", 1), intAttr("keepdims", 0)),
                node("ReduceMean", List.of("x"), List.of("e"), ints("axes", 0), intAttr("keepdims", 1)));
        List<String> outputs = List.of("m", "e");
        Map<String, float[]> before = run(model(nodes, 17, outputs));
        Map<String, float[]> after = run(model(OpsetBridge.lift(nodes, 17, 18, "test", "t"), 18, outputs));
        assertThat(after.get("m")).containsExactly(before.get("m"));
        assertThat(after.get("e")).containsExactly(before.get("e"));
    }

    @Test
    void flatteningSoftmaxAndAncientOpsetsAreRefused() {
        List<OnnxMl.NodeProto> softmax = List.of(node("Softmax", List.of("x"), List.of("p"), intAttr("axis", 1)));
        assertThatThrownBy(() -> OpsetBridge.lift(softmax, 11, 17, "model.onnx", "t"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("flattened axes");
        assertThatThrownBy(() -> OpsetBridge.lift(List.of(), 10, 17, "model.onnx", "t"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("opset 10");
    }

    private static OnnxMl.NodeProto node(String op, List<String> in, List<String> out, OnnxMl.AttributeProto... attrs) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(op).addAllInput(in).addAllOutput(out)
                .addAllAttribute(List.of(attrs)).build();
    }

    private static OnnxMl.AttributeProto ints(String name, long... v) {
        OnnxMl.AttributeProto.Builder b = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            b.addInts(x);
        }
        return b.build();
    }

    private static OnnxMl.AttributeProto intAttr(String name, long v) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static OnnxMl.ModelProto model(List<OnnxMl.NodeProto> nodes, long opset, List<String> outputs) {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("g").addAllNode(nodes)
                .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("x").setType(OnnxMl.TypeProto.newBuilder()
                        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1)
                                .setShape(OnnxMl.TensorShapeProto.newBuilder().addDim(dim(2)).addDim(dim(3))))));
        for (String o : outputs) {
            g.addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(o).setType(OnnxMl.TypeProto.newBuilder()
                    .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1))));
        }
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }

    private static OnnxMl.TensorShapeProto.Dimension dim(long v) {
        return OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(v).build();
    }

    private static Map<String, float[]> run(OnnxMl.ModelProto m) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(m.toByteArray(), new OrtSession.SessionOptions());
                OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(X), new long[] {2, 3});
                OrtSession.Result r = s.run(Map.of("x", x))) {
            Map<String, float[]> out = new java.util.HashMap<>();
            for (var e : r) {
                FloatBuffer b = ((OnnxTensor) e.getValue()).getFloatBuffer();
                float[] a = new float[b.remaining()];
                b.get(a);
                out.put(e.getKey(), a);
            }
            return out;
        }
    }
}
