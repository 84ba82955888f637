package rlif.models.generation;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes a decoder compute logits for the last position only, so the prefill of a long prompt never holds a
 * {@code [batch, prompt, vocab]} block (5 GB for 16 rows of 512 tokens at a vocabulary of 151936) and the head's
 * matrix product runs on one row per sequence instead of all of them.
 *
 * <p>It applies when the logits output ({@code [batch, seq, vocab]}, rank 3) is a {@code MatMul} of hidden states by
 * a weight matrix (a rank-2 initializer, or its {@code Transpose} for tied embeddings), followed only by
 * position-wise ops: Identity, Cast, and Add/Sub/Mul/Div by an initializer or constant of rank at most 1. Then each
 * logits row depends on its own hidden row alone, so slicing the hidden states to their last position before the
 * product gives exactly the last row of the logits. Every decoder rlif builds and both ORT-GenAI fixtures have this
 * form; for any other the graph is left as it is and the caller knows (the engine then bounds the prefill batch).
 */
final class LastPositionHead {
    private static final Set<String> PASS_THROUGH = Set.of("Identity", "Cast");
    private static final Set<String> POSITION_WISE = Set.of("Add", "Sub", "Mul", "Div");

    private LastPositionHead() {}

    /** The decoder's nodes with the hidden states sliced before the head, or null when the pattern does not hold. */
    static List<OnnxMl.NodeProto> apply(List<OnnxMl.NodeProto> nodes, OnnxMl.GraphProto graph, String logits) {
        OnnxMl.ValueInfoProto declared = graph.getOutputList().stream().filter(o -> o.getName().equals(logits))
                .findFirst().orElse(null);
        if (declared == null || declared.getType().getTensorType().getShape().getDimCount() != 3) {
            return null;
        }
        Map<String, Integer> producer = new HashMap<>();
        Map<String, Integer> consumers = new HashMap<>();
        Map<String, Integer> constantRank = new HashMap<>();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            constantRank.put(t.getName(), t.getDimsCount());
        }
        for (int i = 0; i < nodes.size(); i++) {
            OnnxMl.NodeProto n = nodes.get(i);
            for (String o : n.getOutputList()) {
                producer.put(o, i);
            }
            for (String in : n.getInputList()) {
                consumers.merge(in, 1, Integer::sum);
            }
            if (n.getOpType().equals("Constant") && n.getAttributeCount() == 1 && n.getAttribute(0).hasT()) {
                constantRank.put(n.getOutput(0), n.getAttribute(0).getT().getDimsCount());
            }
        }
        Set<String> graphOutputs = new java.util.HashSet<>();
        graph.getOutputList().forEach(o -> graphOutputs.add(o.getName()));

        String v = logits;
        while (true) {
            Integer at = producer.get(v);
            if (at == null) {
                return null;
            }
            OnnxMl.NodeProto n = nodes.get(at);
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                return null;
            }
            String next;
            if (PASS_THROUGH.contains(n.getOpType()) && n.getInputCount() == 1) {
                next = n.getInput(0);
            } else if (POSITION_WISE.contains(n.getOpType()) && n.getInputCount() == 2) {
                boolean firstConst = isSmallConstant(n.getInput(0), constantRank);
                boolean secondConst = isSmallConstant(n.getInput(1), constantRank);
                if (firstConst == secondConst) {
                    return null;
                }
                next = firstConst ? n.getInput(1) : n.getInput(0);
            } else if (n.getOpType().equals("MatMul") && isWeightMatrix(n.getInput(1), nodes, producer, constantRank)) {
                return sliced(nodes, at);
            } else {
                return null;
            }
            // Everything between the product and the logits must feed only the next op of the chain.
            if (consumers.getOrDefault(next, 0) != 1 || graphOutputs.contains(next)) {
                return null;
            }
            v = next;
        }
    }

    private static boolean isSmallConstant(String name, Map<String, Integer> constantRank) {
        Integer rank = constantRank.get(name);
        return rank != null && rank <= 1;
    }

    private static boolean isWeightMatrix(String name, List<OnnxMl.NodeProto> nodes, Map<String, Integer> producer,
            Map<String, Integer> constantRank) {
        if (Integer.valueOf(2).equals(constantRank.get(name))) {
            return true;
        }
        Integer at = producer.get(name);
        if (at == null) {
            return false;
        }
        OnnxMl.NodeProto t = nodes.get(at);
        return t.getOpType().equals("Transpose") && t.getDomain().isEmpty() && t.getInputCount() == 1
                && Integer.valueOf(2).equals(constantRank.get(t.getInput(0)));
    }

    /** Inserts {@code hidden[:, -1:, :]} before the head's MatMul (node {@code at}) and feeds it instead. */
    private static List<OnnxMl.NodeProto> sliced(List<OnnxMl.NodeProto> nodes, int at) {
        OnnxMl.NodeProto head = nodes.get(at);
        String p = GenerationGraph.PREFIX + "/last_position/";
        List<OnnxMl.NodeProto> out = new ArrayList<>(nodes.subList(0, at));
        out.add(int64Constant(p + "starts", -1));
        out.add(int64Constant(p + "ends", Long.MAX_VALUE));
        out.add(int64Constant(p + "axes", 1));
        out.add(OnnxMl.NodeProto.newBuilder().setOpType("Slice").setName(p + "Slice").addInput(head.getInput(0))
                .addInput(p + "starts").addInput(p + "ends").addInput(p + "axes").addOutput(p + "hidden").build());
        out.add(head.toBuilder().setInput(0, p + "hidden").build());
        out.addAll(nodes.subList(at + 1, nodes.size()));
        return out;
    }

    private static OnnxMl.NodeProto int64Constant(String name, long value) {
        return OnnxMl.NodeProto.newBuilder().setOpType("Constant").setName(name).addOutput(name)
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("value")
                        .setType(OnnxMl.AttributeProto.AttributeType.TENSOR)
                        .setT(OnnxMl.TensorProto.newBuilder().setDataType(OnnxMl.TensorProto.DataType.INT64_VALUE)
                                .addDims(1).addInt64Data(value)))
                .build();
    }
}
