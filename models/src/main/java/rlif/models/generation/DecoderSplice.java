package rlif.models.generation;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import rlif.models.BadInputException;
import rlif.models.dir.DecoderIo;
import rlif.models.graph.GraphBuilder;

/**
 * Puts a decoder's own graph into the generation loop: its nodes replace the {@value GenerationGraph#DECODER_STEP}
 * node of the loop body, bound to it by Identity nodes (so no decoder name changes), its initializers join the
 * outer graph's (the body reads them from the enclosing scope; external data still points into the model
 * directory), its local functions and opset imports join the model's. Standard-domain nodes of the older side are
 * lifted to the newer opset ({@link OpsetBridge}); the head is cut to the last position where possible
 * ({@link LastPositionHead}).
 */
final class DecoderSplice {
    /** The spliced model, and whether the prefill computes last-position logits only. */
    record Result(OnnxMl.ModelProto model, boolean lastPositionOnly) {}

    private DecoderSplice() {}

    static Result splice(OnnxMl.ModelProto generation, OnnxMl.ModelProto decoder, DecoderIo io, String where) {
        OnnxMl.GraphProto dg = decoder.getGraph();
        checkNames(dg, generation.getGraph(), boundInputs(io), where);
        long decoderOpset = standardOpset(decoder);
        long opset = Math.max(GraphBuilder.OPSET, decoderOpset);
        // ONNX Runtime sorts a model's main graph itself but requires a subgraph's nodes in order, and exporters do not
        // always write them so (the ORT-GenAI llama fixture does not).
        List<OnnxMl.NodeProto> decoderNodes = OpsetBridge.lift(topologicalOrder(dg.getNodeList(), where), decoderOpset,
                opset, where, "decoder");
        List<OnnxMl.NodeProto> headCut = LastPositionHead.apply(decoderNodes, dg, io.logits());
        List<OnnxMl.NodeProto> stepNodes = headCut != null ? headCut : decoderNodes;

        OnnxMl.GraphProto.Builder outer = generation.getGraph().toBuilder();
        List<OnnxMl.NodeProto> own = OpsetBridge.lift(outer.getNodeList(), GraphBuilder.OPSET, opset, where, "own");
        outer.clearNode();
        int loops = 0;
        for (OnnxMl.NodeProto n : own) {
            if (n.getOpType().equals("Loop")) {
                n = withBody(n, body -> spliceBody(body, stepNodes, dg, io));
                loops++;
            }
            outer.addNode(n);
        }
        if (loops != 1) {
            throw new IllegalStateException("the generation graph must have one Loop, found " + loops);
        }
        outer.addAllInitializer(dg.getInitializerList());
        outer.addAllSparseInitializer(dg.getSparseInitializerList());

        OnnxMl.ModelProto.Builder m = generation.toBuilder().setGraph(outer)
                .setIrVersion(Math.max(generation.getIrVersion(), decoder.getIrVersion()))
                .clearOpsetImport()
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .addAllFunctions(decoder.getFunctionsList());
        for (OnnxMl.OperatorSetIdProto o : decoder.getOpsetImportList()) {
            if (!o.getDomain().isEmpty() && !o.getDomain().equals("ai.onnx")) {
                m.addOpsetImport(o);
            }
        }
        return new Result(m.build(), headCut != null);
    }

    private interface BodyEdit {
        OnnxMl.GraphProto apply(OnnxMl.GraphProto body);
    }

    private static OnnxMl.NodeProto withBody(OnnxMl.NodeProto loop, BodyEdit edit) {
        OnnxMl.NodeProto.Builder b = loop.toBuilder();
        for (int i = 0; i < b.getAttributeCount(); i++) {
            if (b.getAttribute(i).getName().equals("body")) {
                b.setAttribute(i, b.getAttribute(i).toBuilder().setG(edit.apply(b.getAttribute(i).getG())));
            }
        }
        return b.build();
    }

    /** The body with its decoder-step node replaced by Identity bindings around the decoder's nodes. */
    private static OnnxMl.GraphProto spliceBody(OnnxMl.GraphProto body, List<OnnxMl.NodeProto> decoderNodes,
            OnnxMl.GraphProto dg, DecoderIo io) {
        List<String> decoderIn = boundInputs(io);
        List<String> decoderOut = new ArrayList<>(List.of(io.logits()));
        decoderOut.addAll(io.presentOutputs());

        OnnxMl.GraphProto.Builder b = body.toBuilder().clearNode();
        int found = 0;
        for (OnnxMl.NodeProto n : body.getNodeList()) {
            if (!n.getOpType().equals(GenerationGraph.DECODER_STEP)) {
                b.addNode(n);
                continue;
            }
            found++;
            if (n.getInputCount() != decoderIn.size() || n.getOutputCount() != decoderOut.size()) {
                throw new IllegalStateException("decoder step node has " + n.getInputCount() + " inputs and "
                        + n.getOutputCount() + " outputs; the decoder has " + decoderIn + " -> " + decoderOut);
            }
            for (int i = 0; i < decoderIn.size(); i++) {
                b.addNode(identity(n.getInput(i), decoderIn.get(i)));
            }
            b.addAllNode(decoderNodes);
            for (int i = 0; i < decoderOut.size(); i++) {
                b.addNode(identity(decoderOut.get(i), n.getOutput(i)));
            }
        }
        if (found != 1) {
            throw new IllegalStateException("the loop body must have one decoder step, found " + found);
        }
        b.addAllValueInfo(dg.getValueInfoList());
        return b.build();
    }

    /**
     * {@code nodes} reordered so that every node comes after the producers of its inputs, otherwise keeping file
     * order; names no node produces (graph inputs, initializers, outer-scope values) are available from the start.
     * A cycle is bad input.
     */
    static List<OnnxMl.NodeProto> topologicalOrder(List<OnnxMl.NodeProto> nodes, String where) {
        java.util.Map<String, Integer> producer = new java.util.HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String o : nodes.get(i).getOutputList()) {
                if (!o.isEmpty()) {
                    producer.put(o, i);
                }
            }
        }
        int[] waiting = new int[nodes.size()];
        List<List<Integer>> dependents = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            dependents.add(new ArrayList<>());
        }
        for (int i = 0; i < nodes.size(); i++) {
            Set<Integer> needs = new java.util.TreeSet<>();
            for (String in : inputsIncludingSubgraphs(nodes.get(i))) {
                Integer p = producer.get(in);
                if (p != null && p != i) {
                    needs.add(p);
                }
            }
            waiting[i] = needs.size();
            for (int p : needs) {
                dependents.get(p).add(i);
            }
        }
        java.util.PriorityQueue<Integer> ready = new java.util.PriorityQueue<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (waiting[i] == 0) {
                ready.add(i);
            }
        }
        List<OnnxMl.NodeProto> out = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            int i = ready.poll();
            out.add(nodes.get(i));
            for (int d : dependents.get(i)) {
                if (--waiting[d] == 0) {
                    ready.add(d);
                }
            }
        }
        if (out.size() != nodes.size()) {
            throw new BadInputException(where + ": the decoder graph has a cycle");
        }
        return out;
    }

    /** A node's inputs and the outer-scope names its subgraphs read (so it runs after their producers too). */
    private static Set<String> inputsIncludingSubgraphs(OnnxMl.NodeProto n) {
        Set<String> names = new HashSet<>(n.getInputList());
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.hasG()) {
                collectInputs(a.getG(), names);
            }
        }
        return names;
    }

    private static void collectInputs(OnnxMl.GraphProto g, Set<String> names) {
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            names.addAll(n.getInputList());
            for (OnnxMl.AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collectInputs(a.getG(), names);
                }
            }
        }
    }

    /** The decoder inputs the loop body binds, in the decoder-step node's input order. */
    private static List<String> boundInputs(DecoderIo io) {
        List<String> in = new ArrayList<>(List.of(io.inputIds(), io.attentionMask()));
        io.positionIds().ifPresent(in::add);
        io.useCacheBranch().ifPresent(in::add);
        in.addAll(io.pastInputs());
        return in;
    }

    private static OnnxMl.NodeProto identity(String from, String to) {
        return OnnxMl.NodeProto.newBuilder().setOpType("Identity").setName(GenerationGraph.PREFIX + "/bind/" + to)
                .addInput(from).addOutput(to).build();
    }

    /** The standard-domain opset the decoder was written for. */
    private static long standardOpset(OnnxMl.ModelProto m) {
        return m.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(OnnxMl.OperatorSetIdProto::getVersion).max().orElse(GraphBuilder.OPSET);
    }

    /**
     * Refuses a decoder with a value named like the generation graph's own (they share one namespace once spliced):
     * any name under {@value GenerationGraph#PREFIX}/, or equal to an outer input or output other than the inputs the
     * caller feeds the decoder directly.
     */
    private static void checkNames(OnnxMl.GraphProto decoder, OnnxMl.GraphProto generation, List<String> bound,
            String where) {
        Set<String> callerFed = new HashSet<>();
        decoder.getInputList().forEach(v -> callerFed.add(v.getName()));
        callerFed.removeAll(bound);
        Set<String> ours = new HashSet<>();
        generation.getInputList().forEach(v -> ours.add(v.getName()));
        generation.getOutputList().forEach(v -> ours.add(v.getName()));
        ours.removeAll(callerFed);
        Set<String> clash = new java.util.TreeSet<>();
        collectNames(decoder, name -> {
            if (name.startsWith(GenerationGraph.PREFIX + "/") || ours.contains(name)) {
                clash.add(name);
            }
        });
        if (!clash.isEmpty()) {
            throw new BadInputException(where + ": value names " + clash.stream().limit(5).toList()
                    + " clash with the generation graph's own; use --engine step");
        }
    }

    private static void collectNames(OnnxMl.GraphProto g, java.util.function.Consumer<String> sink) {
        g.getInputList().forEach(v -> sink.accept(v.getName()));
        g.getInitializerList().forEach(t -> sink.accept(t.getName()));
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            n.getOutputList().forEach(sink);
            for (OnnxMl.AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collectNames(a.getG(), sink);
                }
                a.getGraphsList().forEach(sub -> collectNames(sub, sink));
            }
        }
    }
}
