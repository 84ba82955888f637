package rlif.trainer.graph;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Rewrites a float32 ONNX model to float64 (inputs, outputs, initializers, Cast targets, ConstantOfShape
 * fills): the training session's float64 mode, in which whole-model gradients can be checked against finite
 * differences, and gradient accumulation against the one-shot gradient, in double precision although the
 * architecture builder emits float32 only.
 */
public final class Float64Promotion {
    private static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT_VALUE;
    private static final int DOUBLE = OnnxMl.TensorProto.DataType.DOUBLE_VALUE;

    private Float64Promotion() {}

    public static OnnxMl.ModelProto promote(OnnxMl.ModelProto m) {
        OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
        for (OnnxMl.ValueInfoProto.Builder v : g.getInputBuilderList()) {
            promote(v);
        }
        for (OnnxMl.ValueInfoProto.Builder v : g.getOutputBuilderList()) {
            promote(v);
        }
        g.clearValueInfo();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            g.setInitializer(i, promote(g.getInitializer(i)));
        }
        for (OnnxMl.NodeProto.Builder n : g.getNodeBuilderList()) {
            for (OnnxMl.AttributeProto.Builder a : n.getAttributeBuilderList()) {
                if (n.getOpType().equals("Cast") && a.getName().equals("to") && a.getI() == FLOAT) {
                    a.setI(DOUBLE);
                }
                if (a.hasT()) {
                    a.setT(promote(a.getT()));
                }
            }
        }
        return m.toBuilder().setGraph(g).build();
    }

    private static void promote(OnnxMl.ValueInfoProto.Builder v) {
        if (v.getType().getTensorType().getElemType() == FLOAT) {
            v.getTypeBuilder().getTensorTypeBuilder().setElemType(DOUBLE);
        }
    }

    private static OnnxMl.TensorProto promote(OnnxMl.TensorProto t) {
        if (t.getDataType() != FLOAT) {
            return t;
        }
        float[] f;
        if (t.hasRawData()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            f = new float[b.remaining() / 4];
            b.asFloatBuffer().get(f);
        } else {
            f = new float[t.getFloatDataCount()];
            for (int i = 0; i < f.length; i++) {
                f[i] = t.getFloatData(i);
            }
        }
        ByteBuffer out = ByteBuffer.allocate(8 * f.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : f) {
            out.putDouble(x);
        }
        out.flip();
        return t.toBuilder().setDataType(DOUBLE).clearFloatData().setRawData(ByteString.copyFrom(out)).build();
    }
}
