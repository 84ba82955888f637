package rlif.models.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.dir.OnnxModelFile;
import rlif.models.dir.SharedFixtures;

/** How a decoder's graph is put into the loop body: node order, weights, names. */
class DecoderSpliceTest {
    @Test
    void nodesAreOrderedAfterTheirProducersEvenWhenTheFileIsNot() {
        // The ORT-GenAI llama export lists an attention-mask node before the node producing its input.
        OnnxMl.GraphProto g = OnnxModelFile.parse(SharedFixtures.llama().resolve("model.onnx")).getGraph();
        assertThat(isOrdered(g.getNodeList())).isFalse();
        List<OnnxMl.NodeProto> sorted = DecoderSplice.topologicalOrder(g.getNodeList(), "llama");
        assertThat(sorted).hasSameSizeAs(g.getNodeList()).containsExactlyInAnyOrderElementsOf(g.getNodeList());
        assertThat(isOrdered(sorted)).isTrue();
    }

    @Test
    void aCycleIsBadInput() {
        List<OnnxMl.NodeProto> cycle = List.of(
                OnnxMl.NodeProto.newBuilder().setOpType("Relu").addInput("b").addOutput("a").build(),
                OnnxMl.NodeProto.newBuilder().setOpType("Relu").addInput("a").addOutput("b").build());
        assertThatThrownBy(() -> DecoderSplice.topologicalOrder(cycle, "model.onnx"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("cycle");
    }

    @Test
    void weightsMoveToTheOuterGraphAndTheDecoderRunsInsideTheLoop() {
        ModelDirectory model = ModelDirectory.open(Path.of("arith-base"));
        OnnxMl.ModelProto decoder = OnnxModelFile.parse(model.config().decoderFile());
        OnnxMl.GraphProto outer = GenerationGraph.build(model).proto().getGraph();
        Set<String> outerInitializers = new HashSet<>();
        outer.getInitializerList().forEach(t -> outerInitializers.add(t.getName()));
        decoder.getGraph().getInitializerList().forEach(t -> assertThat(outerInitializers).contains(t.getName()));
        OnnxMl.NodeProto loop = outer.getNodeList().stream().filter(n -> n.getOpType().equals("Loop")).findFirst().orElseThrow();
        OnnxMl.GraphProto body = loop.getAttribute(0).getG();
        assertThat(body.getNodeList()).noneMatch(n -> n.getOpType().equals(GenerationGraph.DECODER_STEP));
        Set<String> bodyOutputs = new HashSet<>();
        body.getNodeList().forEach(n -> bodyOutputs.addAll(n.getOutputList()));
        decoder.getGraph().getNodeList().forEach(n -> assertThat(bodyOutputs).containsAll(n.getOutputList()));
        // Only the loop's own inputs and scalars live outside: no decoder node runs outside the loop.
        assertThat(outer.getNodeList()).noneMatch(n -> n.getOpType().equals("MatMul"));
    }

    @Test
    void aDecoderValueNamedLikeTheGenerationGraphsOwnIsRefused() {
        ModelDirectory model = ModelDirectory.open(Path.of("arith-base"));
        OnnxMl.ModelProto decoder = OnnxModelFile.parse(model.config().decoderFile());
        OnnxMl.GraphProto g = decoder.getGraph();
        OnnxMl.NodeProto first = g.getNode(0);
        OnnxMl.ModelProto clashing = decoder.toBuilder().setGraph(g.toBuilder()
                .setNode(0, first.toBuilder().setOutput(0, GenerationGraph.TOKENS))).build();
        OnnxMl.ModelProto generation = GenerationGraph.build(model).proto();
        assertThatThrownBy(() -> DecoderSplice.splice(generation, clashing, model.io(), "model.onnx"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("clash").hasMessageContaining("tokens");
    }

    private static boolean isOrdered(List<OnnxMl.NodeProto> nodes) {
        Set<String> produced = new HashSet<>();
        Set<String> later = new HashSet<>();
        nodes.forEach(n -> later.addAll(n.getOutputList()));
        for (OnnxMl.NodeProto n : nodes) {
            for (String in : n.getInputList()) {
                if (!in.isEmpty() && later.contains(in) && !produced.contains(in)) {
                    return false;
                }
            }
            produced.addAll(n.getOutputList());
        }
        return true;
    }
}
