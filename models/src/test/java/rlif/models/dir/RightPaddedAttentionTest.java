package rlif.models.dir;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A decoder whose {@code GroupQueryAttention} has no {@code attention_bias} (ORT-GenAI's builder: each row's length is
 * {@code sum(mask) - 1}, as if right-padded) is marked as needing equal-length rows; one that passes the padding as
 * {@code attention_bias} (rlif's own int4 import) or uses another attention is not.
 */
class RightPaddedAttentionTest {
    @TempDir
    Path tmp;

    private boolean needsEqualLengths(String opType, String domain, int inputs, boolean biasNamed) throws Exception {
        List<String> names = new java.util.ArrayList<>(Collections.nCopies(inputs, ""));
        for (int i = 0; i < Math.min(inputs, 3); i++) {
            names.set(i, "x");
        }
        if (biasNamed) {
            names.set(10, "bias");
        }
        OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder()
                .addInput(value("x"))
                .addOutput(value("y"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType(opType).setDomain(domain).addAllInput(names).addOutput("y"))
                .build();
        Path file = tmp.resolve(opType + inputs + biasNamed + ".onnx");
        Files.write(file, OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(graph).build().toByteArray());
        return OnnxModelFile.read(file, tmp).rowsNeedEqualLengths();
    }

    private static OnnxMl.ValueInfoProto value(String name) {
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1))).build();
    }

    @Test
    void groupQueryAttentionWithoutAttentionBiasNeedsEqualLengthRows() throws Exception {
        assertThat(needsEqualLengths("GroupQueryAttention", "com.microsoft", 9, false)).isTrue();
        assertThat(needsEqualLengths("GroupQueryAttention", "com.microsoft", 11, false)).isTrue(); // bias slot left empty
    }

    @Test
    void groupQueryAttentionGivenThePaddingAsAttentionBiasOrOtherAttentionDoesNot() throws Exception {
        assertThat(needsEqualLengths("GroupQueryAttention", "com.microsoft", 11, true)).isFalse();
        assertThat(needsEqualLengths("MultiHeadAttention", "com.microsoft", 9, false)).isFalse();
        assertThat(needsEqualLengths("Softmax", "", 1, false)).isFalse();
    }
}
