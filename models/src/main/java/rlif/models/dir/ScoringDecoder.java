package rlif.models.dir;

import ai.onnx.proto.OnnxMl;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import rlif.models.BadInputException;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.GraphSignals;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.onnx.TensorProtos;
import rlif.models.tensor.DType;

/**
 * The scoring variant of a model directory's decoder: the same graph with its {@code [batch, seq, vocab]}
 * logits reduced inside the graph to per-position signals ({@link GraphSignals}), so only
 * {@code [batch, seq]} values leave ONNX Runtime.
 *
 * <p>Any decoder rlif can run gets the variant by graph surgery, whoever exported it: the signal nodes are
 * appended after the decoder's logits, which stop being an output. New inputs: {@link #TARGET_IDS} (the
 * token whose log-prob each position reports, typed like {@code input_ids}), {@link #TEMPERATURE} (a
 * float64 scalar) and {@link #SIGNAL_START}. New outputs: {@link GraphSignals#OUTPUTS}, float64
 * {@code [batch, seq - start]}. The KV cache
 * inputs and outputs stay as they are, so long sequences can be scored in chunks through the cache.
 *
 * <p>External data references are kept unchanged (relative to the decoder's directory, already checked by
 * {@link ModelDirectory#open}); a session loads the variant from memory with ONNX Runtime's
 * {@code session.model_external_initializers_file_folder_path} set to {@link #externalDataFolder}.
 */
public final class ScoringDecoder {
    /** The int input: at each position, the id whose log-prob is reported (the next token when teacher forcing). */
    public static final String TARGET_IDS = "target_ids";
    /** The float64 scalar input: the temperature the signals are computed at. */
    public static final String TEMPERATURE = "signal_temperature";
    /**
     * The int64 {@code [1]} input: the first position of this run whose signals are wanted. Positions before it
     * (a prompt's, whose next tokens are not scored) skip the reduction; the outputs hold {@code seq - start}
     * positions.
     */
    public static final String SIGNAL_START = "signal_start";
    /** Prefix of every node and value the variant adds, so they cannot collide with an exporter's names. */
    static final String SCOPE = "rlif_signals";

    private ScoringDecoder() {}

    /** The scoring variant of {@code model}'s decoder. */
    public static OnnxMl.ModelProto of(ModelDirectory model) {
        return attach(OnnxModelFile.parse(model.config().decoderFile()), model.io(), model.config());
    }

    /** The directory ONNX Runtime must resolve the decoder's external data against when loading the variant from memory. */
    public static java.nio.file.Path externalDataFolder(ModelDirectory model) {
        return model.config().decoderFile().toAbsolutePath().getParent();
    }

    /**
     * {@code decoder} with the signal head appended to its logits output {@code io.logits()}. Where the logits
     * come from one MatMul of the hidden states (the lm_head; through Cast, Identity or a constant bias Add at
     * most, as every exporter writes it), the positions before {@link #SIGNAL_START} are cut from the hidden
     * states before that MatMul, so a prompt's positions cost no lm_head either; otherwise from the logits.
     */
    static OnnxMl.ModelProto attach(OnnxMl.ModelProto decoder, DecoderIo io, ModelConfig config) {
        String where = config.decoderFile().toString();
        long opset = defaultOpset(decoder, where);
        OnnxMl.GraphProto graph = decoder.getGraph();
        int lmHead = lmHead(graph, io.logits());
        OnnxMl.GraphProto head = head(io, config, lmHead < 0).getGraph();
        checkNoCollisions(graph, head, io.logits(), where);

        OnnxMl.GraphProto.Builder b = graph.toBuilder();
        if (lmHead >= 0) {
            cutBeforeLmHead(b, lmHead, where);
        }
        b.clearOutput();
        for (OnnxMl.ValueInfoProto o : graph.getOutputList()) {
            if (!o.getName().equals(io.logits())) {
                b.addOutput(o);
            }
        }
        head.getOutputList().forEach(b::addOutput);
        for (OnnxMl.ValueInfoProto in : head.getInputList()) {
            if (!in.getName().equals(io.logits())) {
                b.addInput(in);
            }
        }
        Set<String> used = new HashSet<>();
        for (OnnxMl.NodeProto n : head.getNodeList()) {
            OnnxMl.NodeProto adapted = atOpset(n, opset, head, b);
            used.addAll(adapted.getInputList());
            b.addNode(adapted);
        }
        // constants an opset adaptation turned into attributes are left out
        head.getInitializerList().stream().filter(t -> used.contains(t.getName())).forEach(b::addInitializer);
        return decoder.toBuilder().setGraph(b).build();
    }

    /**
     * The index of the lm_head MatMul: the node the logits come from through nothing but Cast, Identity and Add of
     * a constant, each of whose outputs only the next feeds; -1 when the graph is not shaped so.
     */
    private static int lmHead(OnnxMl.GraphProto graph, String logits) {
        Map<String, Integer> producer = new HashMap<>();
        Map<String, Integer> uses = new HashMap<>();
        Set<String> constants = new HashSet<>();
        graph.getInitializerList().forEach(t -> constants.add(t.getName()));
        for (int i = 0; i < graph.getNodeCount(); i++) {
            OnnxMl.NodeProto n = graph.getNode(i);
            for (String out : n.getOutputList()) {
                producer.put(out, i);
            }
            if (n.getOpType().equals("Constant")) {
                constants.addAll(n.getOutputList());
            }
            for (String in : n.getInputList()) {
                uses.merge(in, 1, Integer::sum);
            }
        }
        graph.getOutputList().forEach(o -> uses.merge(o.getName(), 1, Integer::sum));
        String v = logits;
        for (int step = 0; step < 8; step++) {
            Integer at = producer.get(v);
            if (at == null || (!v.equals(logits) && uses.getOrDefault(v, 0) != 1)) {
                return -1;
            }
            OnnxMl.NodeProto n = graph.getNode(at);
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                return -1;
            }
            switch (n.getOpType()) {
                case "MatMul" -> {
                    return constants.contains(n.getInput(0)) ? -1 : at;
                }
                case "Cast", "Identity" -> v = n.getInput(0);
                case "Add" -> {
                    if (constants.contains(n.getInput(1))) {
                        v = n.getInput(0);
                    } else if (constants.contains(n.getInput(0))) {
                        v = n.getInput(1);
                    } else {
                        return -1;
                    }
                }
                default -> {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** Feeds the lm_head MatMul at {@code index} only the hidden states from {@link #SIGNAL_START} on. */
    private static void cutBeforeLmHead(OnnxMl.GraphProto.Builder b, int index, String where) {
        OnnxMl.NodeProto matMul = b.getNode(index);
        String end = SCOPE + "/hidden_end";
        String axes = SCOPE + "/hidden_axes";
        String cut = SCOPE + "/hidden_wanted";
        for (String name : List.of(end, axes, cut)) {
            if (b.getInitializerList().stream().anyMatch(t -> t.getName().equals(name))
                    || b.getNodeList().stream().anyMatch(n -> n.getOutputList().contains(name))) {
                throw new BadInputException(where + ": the decoder already uses the name " + name
                        + ", which its scoring variant needs");
            }
        }
        b.addInitializer(longs(end, Long.MAX_VALUE));
        b.addInitializer(longs(axes, 1));
        OnnxMl.NodeProto slice = OnnxMl.NodeProto.newBuilder().setName(SCOPE + "/hidden_slice").setOpType("Slice")
                .addInput(matMul.getInput(0)).addInput(SIGNAL_START).addInput(end).addInput(axes).addOutput(cut).build();
        b.setNode(index, matMul.toBuilder().setInput(0, cut));
        // nodes stay in topological order: the slice goes right before the MatMul it feeds
        List<OnnxMl.NodeProto> nodes = new java.util.ArrayList<>(b.getNodeList());
        nodes.add(index, slice);
        b.clearNode().addAllNode(nodes);
    }

    private static OnnxMl.TensorProto longs(String name, long value) {
        return OnnxMl.TensorProto.newBuilder().setName(name).setDataType(OnnxMl.TensorProto.DataType.INT64_VALUE)
                .addDims(1).addInt64Data(value).setDocString(GraphBuilder.CONSTANT_DOC).build();
    }

    /**
     * The signal head as its own graph: inputs logits, target ids, temperature and start; outputs the signals.
     * {@code sliceLogits}: the logits still hold every position, so the head cuts them at the start itself.
     */
    private static OnnxMl.ModelProto head(DecoderIo io, ModelConfig config, boolean sliceLogits) {
        GraphBuilder g = new GraphBuilder("scoring_head");
        Value logits = g.input(io.logits(), config.logitsType(), Shape.parse("batch", "seq", config.vocab()));
        Value targets = g.input(TARGET_IDS, config.inputIdType(), Shape.parse("batch", "seq"));
        Value temperature = g.input(TEMPERATURE, DType.F64, Shape.scalar());
        Value start = g.input(SIGNAL_START, DType.I64, Shape.of(1));
        try (var s = g.scope(SCOPE)) {
            Value end = g.ints(Long.MAX_VALUE);
            Value wanted = sliceLogits ? g.slice(logits, start, end, 1) : logits;
            Value wantedTargets = g.slice(targets, start, end, 1);
            GraphSignals.of(g, wanted, temperature, wantedTargets).declareOutputs(g);
        }
        return g.toModel();
    }

    /**
     * The head is built at opset 17. From opset 18 on, ReduceMax and ReduceMean take {@code axes} as an input
     * instead of an attribute; before opset 13, ReduceSum, Squeeze and Unsqueeze take it as an attribute
     * instead of an input. Nothing else the head uses differs between opsets 11 and 21 (LogSoftmax's
     * pre-13 flattening is the same thing on the last axis).
     */
    private static OnnxMl.NodeProto atOpset(OnnxMl.NodeProto n, long opset, OnnxMl.GraphProto head,
            OnnxMl.GraphProto.Builder graph) {
        String op = n.getOpType();
        if (opset >= 18 && (op.equals("ReduceMax") || op.equals("ReduceMean"))) {
            OnnxMl.NodeProto.Builder nb = n.toBuilder().clearAttribute();
            for (OnnxMl.AttributeProto a : n.getAttributeList()) {
                if (a.getName().equals("axes")) {
                    String name = n.getName() + "_axes";
                    graph.addInitializer(OnnxMl.TensorProto.newBuilder().setName(name)
                            .setDataType(OnnxMl.TensorProto.DataType.INT64_VALUE).addDims(a.getIntsCount())
                            .addAllInt64Data(a.getIntsList()).setDocString(GraphBuilder.CONSTANT_DOC));
                    nb.addInput(name);
                } else {
                    nb.addAttribute(a);
                }
            }
            return nb.build();
        }
        if (opset < 13 && (op.equals("ReduceSum") || op.equals("Squeeze") || op.equals("Unsqueeze"))) {
            String axesName = n.getInput(1);
            OnnxMl.TensorProto axes = head.getInitializerList().stream().filter(t -> t.getName().equals(axesName))
                    .findFirst().orElseThrow(() -> new IllegalStateException(n.getName() + ": axes " + axesName + " is not a constant"));
            java.nio.LongBuffer data = TensorProtos.fromInlineProto(axes, "scoring head").data().asLongBuffer();
            List<Long> values = new java.util.ArrayList<>();
            while (data.hasRemaining()) {
                values.add(data.get());
            }
            return n.toBuilder().clearInput().addInput(n.getInput(0))
                    .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axes")
                            .setType(OnnxMl.AttributeProto.AttributeType.INTS).addAllInts(values))
                    .build();
        }
        return n;
    }

    private static long defaultOpset(OnnxMl.ModelProto decoder, String where) {
        for (OnnxMl.OperatorSetIdProto o : decoder.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                if (o.getVersion() < 11 || o.getVersion() > 21) {
                    throw new BadInputException(where + ": teacher-forced scoring supports decoders of ONNX opset 11 to 21,"
                            + " this one imports opset " + o.getVersion());
                }
                return o.getVersion();
            }
        }
        throw new BadInputException(where + ": the decoder imports no standard ONNX opset");
    }

    /** Every name the head adds must be new to the decoder (exporters are free in their naming). */
    private static void checkNoCollisions(OnnxMl.GraphProto graph, OnnxMl.GraphProto head, String logits, String where) {
        Set<String> taken = new HashSet<>();
        graph.getInputList().forEach(v -> taken.add(v.getName()));
        graph.getOutputList().forEach(v -> taken.add(v.getName()));
        graph.getInitializerList().forEach(t -> taken.add(t.getName()));
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            taken.add(n.getName());
            taken.addAll(n.getOutputList());
        }
        if (graph.getOutputList().stream().noneMatch(o -> o.getName().equals(logits))) {
            throw new BadInputException(where + ": the decoder has no output named " + logits);
        }
        List<String> added = new java.util.ArrayList<>();
        head.getInputList().forEach(v -> added.add(v.getName()));
        head.getOutputList().forEach(v -> added.add(v.getName()));
        head.getInitializerList().forEach(t -> added.add(t.getName()));
        for (OnnxMl.NodeProto n : head.getNodeList()) {
            added.add(n.getName());
            added.addAll(n.getOutputList());
        }
        added.remove(logits);
        for (String name : added) {
            if (taken.contains(name)) {
                throw new BadInputException(where + ": the decoder already uses the name " + name
                        + ", which its scoring variant needs for " + (name.startsWith(SCOPE) ? "a signal node" : "an input or output"));
            }
        }
    }
}
