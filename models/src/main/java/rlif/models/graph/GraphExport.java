package rlif.models.graph;

import ai.onnx.proto.OnnxMl;
import java.util.Map;
import rlif.models.onnx.InitializerSink;
import rlif.models.onnx.TensorProtos;
import rlif.models.tensor.Tensor;

/** Turns a {@link GraphBuilder} into ONNX protobuf: inputs/outputs with symbolic shapes, initializers, nodes, subgraphs. */
final class GraphExport {
    /** doc_string of initializers that are builder constants (shape vectors, scalars), not weights. */
    static final String CONSTANT_DOC = GraphBuilder.CONSTANT_DOC;

    private GraphExport() {}

    static OnnxMl.ModelProto model(GraphBuilder g, InitializerSink sink) {
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(GraphBuilder.IR_VERSION)
                .setProducerName("rlif")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(GraphBuilder.OPSET));
        if (usesDomain(g, GraphBuilder.MS_DOMAIN)) {
            m.addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain(GraphBuilder.MS_DOMAIN).setVersion(1));
        }
        return m.setGraph(graph(g, sink)).build();
    }

    private static boolean usesDomain(GraphBuilder g, String domain) {
        for (Node n : g.nodes()) {
            if (n.domain().equals(domain)) {
                return true;
            }
            for (Attr a : n.attributes().values()) {
                if (a instanceof Attr.Graph body && usesDomain(body.body(), domain)) {
                    return true;
                }
            }
        }
        return false;
    }

    static OnnxMl.GraphProto graph(GraphBuilder g, InitializerSink sink) {
        OnnxMl.GraphProto.Builder b = OnnxMl.GraphProto.newBuilder().setName(g.name());
        for (Value v : g.inputs()) {
            b.addInput(valueInfo(v));
        }
        for (Value v : g.outputs()) {
            b.addOutput(valueInfo(v));
        }
        for (Tensor t : g.initializers().values()) {
            b.addInitializer(sink.put(t));
        }
        for (Tensor t : g.constants().values()) {
            b.addInitializer(TensorProtos.toProto(t).toBuilder().setDocString(CONSTANT_DOC));
        }
        for (Node n : g.nodes()) {
            b.addNode(node(n, sink));
        }
        return b.build();
    }

    static OnnxMl.ValueInfoProto valueInfo(Value v) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (Dim d : v.shape().dims()) {
            OnnxMl.TensorShapeProto.Dimension.Builder db = shape.addDimBuilder();
            if (d.isStatic()) {
                db.setDimValue(d.size());
            } else if (!d.isUnknown()) {
                db.setDimParam(d.toString());
            }
        }
        OnnxMl.TypeProto.Tensor.Builder tt = OnnxMl.TypeProto.Tensor.newBuilder().setElemType(v.dtype().onnxCode()).setShape(shape);
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(v.name())
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(tt))
                .build();
    }

    private static OnnxMl.NodeProto node(Node n, InitializerSink sink) {
        OnnxMl.NodeProto.Builder b = OnnxMl.NodeProto.newBuilder().setName(n.name()).setOpType(n.opType()).setDomain(n.domain());
        n.inputs().forEach(v -> b.addInput(v.name()));
        n.outputs().forEach(v -> b.addOutput(v.name()));
        for (Map.Entry<String, Attr> e : n.attributes().entrySet()) {
            b.addAttribute(attribute(e.getKey(), e.getValue(), sink));
        }
        return b.build();
    }

    private static OnnxMl.AttributeProto attribute(String name, Attr a, InitializerSink sink) {
        OnnxMl.AttributeProto.Builder b = OnnxMl.AttributeProto.newBuilder().setName(name);
        switch (a) {
            case Attr.Int i -> b.setType(OnnxMl.AttributeProto.AttributeType.INT).setI(i.value());
            case Attr.Ints i -> b.setType(OnnxMl.AttributeProto.AttributeType.INTS).addAllInts(i.values());
            case Attr.Float f -> b.setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(f.value());
            case Attr.Floats f -> b.setType(OnnxMl.AttributeProto.AttributeType.FLOATS).addAllFloats(f.values());
            case Attr.Str s -> b.setType(OnnxMl.AttributeProto.AttributeType.STRING).setS(com.google.protobuf.ByteString.copyFromUtf8(s.value()));
            case Attr.TensorValue t -> b.setType(OnnxMl.AttributeProto.AttributeType.TENSOR).setT(TensorProtos.toProto(t.value()));
            case Attr.Graph g -> b.setType(OnnxMl.AttributeProto.AttributeType.GRAPH).setG(graph(g.body(), sink));
        }
        return b.build();
    }
}
