package rlif.models.generation;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import rlif.models.BadInputException;

/**
 * Rewrites standard-domain nodes written for one opset so they mean the same under a later one, for the changes a
 * decoder meets: {@code axes} of Squeeze, Unsqueeze and ReduceSum and {@code split} of Split moved from attribute
 * to input at opset 13, the other reductions' {@code axes} at 18. One model has one opset per domain, and the
 * generation graph holds the decoder's nodes and rlif's own, so the older side is lifted to the newer.
 *
 * <p>Softmax, LogSoftmax and Hardmax before opset 13 flatten every axis from {@code axis} on; that equals the
 * later per-axis meaning only for {@code axis = -1}, so anything else is refused rather than silently changed.
 * Decoders older than opset 11 are refused. Subgraphs (an {@code If} in an Optimum merged decoder) are rewritten too.
 */
final class OpsetBridge {
    /** The oldest decoder opset the bridge accepts. */
    static final long OLDEST = 11;
    private static final Set<String> AXES_INPUT_13 = Set.of("Squeeze", "Unsqueeze", "ReduceSum");
    private static final Set<String> AXES_INPUT_18 = Set.of("ReduceMax", "ReduceMin", "ReduceMean", "ReduceProd",
            "ReduceLogSumExp", "ReduceLogSum", "ReduceL1", "ReduceL2", "ReduceSumSquare");
    private static final Set<String> FLATTENING_13 = Set.of("Softmax", "LogSoftmax", "Hardmax");

    private final long from;
    private final long to;
    private final String where;
    private final String tag;
    private int constants;

    private OpsetBridge(long from, long to, String where, String tag) {
        this.from = from;
        this.to = to;
        this.where = where;
        this.tag = tag;
    }

    /**
     * {@code nodes} (written for opset {@code from}) rewritten for opset {@code to >= from}; {@code tag} keeps the
     * names of added constants apart from those of another call.
     */
    static List<OnnxMl.NodeProto> lift(List<OnnxMl.NodeProto> nodes, long from, long to, String where, String tag) {
        if (from < OLDEST) {
            throw new BadInputException(where + ": opset " + from + " is older than the generation graph supports ("
                    + OLDEST + "); use --engine step");
        }
        return from == to ? nodes : new OpsetBridge(from, to, where, tag).rewrite(nodes);
    }

    private List<OnnxMl.NodeProto> rewrite(List<OnnxMl.NodeProto> nodes) {
        List<OnnxMl.NodeProto> out = new ArrayList<>(nodes.size());
        for (OnnxMl.NodeProto n : nodes) {
            OnnxMl.NodeProto node = withRewrittenSubgraphs(n);
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                out.add(node);
                continue;
            }
            String op = n.getOpType();
            if (crosses(13) && FLATTENING_13.contains(op) && intAttr(n, "axis", 1) != -1) {
                throw new BadInputException(where + ": node " + n.getName() + " (" + op + ", opset " + from
                        + ") normalises over flattened axes, which later opsets cannot express; use --engine step");
            }
            if (crosses(13) && AXES_INPUT_13.contains(op)) {
                node = attributeToInput(node, "axes", out);
            } else if (crosses(13) && op.equals("Split")) {
                node = attributeToInput(node, "split", out);
            } else if (crosses(18) && AXES_INPUT_18.contains(op)) {
                node = attributeToInput(node, "axes", out);
            }
            out.add(node);
        }
        return out;
    }

    private boolean crosses(long version) {
        return from < version && to >= version;
    }

    private OnnxMl.NodeProto withRewrittenSubgraphs(OnnxMl.NodeProto n) {
        if (n.getAttributeList().stream().noneMatch(OnnxMl.AttributeProto::hasG)) {
            return n;
        }
        OnnxMl.NodeProto.Builder b = n.toBuilder();
        for (int i = 0; i < b.getAttributeCount(); i++) {
            OnnxMl.AttributeProto a = b.getAttribute(i);
            if (a.hasG()) {
                OnnxMl.GraphProto g = a.getG().toBuilder().clearNode().addAllNode(rewrite(a.getG().getNodeList())).build();
                b.setAttribute(i, a.toBuilder().setG(g));
            }
        }
        return b.build();
    }

    /** Moves int-list attribute {@code name} to the node's second input, through a Constant node added to {@code out}. */
    private OnnxMl.NodeProto attributeToInput(OnnxMl.NodeProto n, String name, List<OnnxMl.NodeProto> out) {
        int index = -1;
        for (int i = 0; i < n.getAttributeCount(); i++) {
            if (n.getAttribute(i).getName().equals(name)) {
                index = i;
            }
        }
        if (index < 0) {
            return n; // absent: every axis (reductions), every unit axis (Squeeze) or equal parts (Split) either way
        }
        List<Long> values = n.getAttribute(index).getIntsList();
        String constant = GenerationGraph.PREFIX + "/opset_" + tag + "_" + (constants++);
        out.add(OnnxMl.NodeProto.newBuilder().setOpType("Constant").setName(constant).addOutput(constant)
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("value")
                        .setType(OnnxMl.AttributeProto.AttributeType.TENSOR)
                        .setT(OnnxMl.TensorProto.newBuilder().setDataType(OnnxMl.TensorProto.DataType.INT64_VALUE)
                                .addDims(values.size()).addAllInt64Data(values)))
                .build());
        OnnxMl.NodeProto.Builder b = n.toBuilder().removeAttribute(index);
        if (b.getInputCount() < 1) {
            throw new BadInputException(where + ": node " + n.getName() + " (" + n.getOpType() + ") has no data input");
        }
        List<String> inputs = new ArrayList<>(b.getInputList());
        inputs.add(1, constant);
        return b.clearInput().addAllInput(inputs.subList(0, 2)).build();
    }

    private static long intAttr(OnnxMl.NodeProto n, String name, long fallback) {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return fallback;
    }
}
