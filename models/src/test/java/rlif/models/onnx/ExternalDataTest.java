package rlif.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/** External data references from untrusted model files: large offsets work, anything leaving the directory or the file fails. */
class ExternalDataTest {
    @TempDir
    Path dir;

    private Path modelWith(OnnxMl.TensorProto... tensors) throws Exception {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("g");
        for (OnnxMl.TensorProto t : tensors) {
            g.addInitializer(t);
        }
        Path file = dir.resolve("model.onnx");
        try (var out = Files.newOutputStream(file)) {
            OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(g).build().writeTo(out);
        }
        return file;
    }

    private static OnnxMl.TensorProto ref(String name, long[] dims, String location, String offset, String length) {
        OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(DType.F32.onnxCode())
                .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL);
        for (long d : dims) {
            b.addDims(d);
        }
        b.addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue(location));
        if (offset != null) {
            b.addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("offset").setValue(offset));
        }
        if (length != null) {
            b.addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("length").setValue(length));
        }
        return b.build();
    }

    private void dataFile(long size) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("model.onnx.data").toFile(), "rw")) {
            f.setLength(size);
        }
    }

    @Test
    void tensorPastTwoGigabytesInASparseFileIsMappedAndRead() throws Exception {
        long offset = (1L << 31) + 8192; // beyond what an int offset or a single 2 GB mapping can reach
        float[] values = {1.25f, -3.5f, 7f, 0.001f};
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("model.onnx.data").toFile(), "rw")) {
            f.setLength(offset + 4096); // sparse: no blocks are allocated for the hole
            ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            f.getChannel().write(b, offset);
        }
        Path model = modelWith(ref("far", new long[] {2, 2}, "model.onnx.data", Long.toString(offset), "16"),
                ref("near", new long[] {4}, "model.onnx.data", "0", null));
        try (OnnxModel m = OnnxModel.read(model)) {
            Tensor far = m.initializers().get("far");
            assertThat(far.shape()).containsExactly(2, 2);
            assertThat(far.toFloats()).containsExactly(values);
            assertThat(m.initializers().get("near").toFloats()).containsExactly(0f, 0f, 0f, 0f);
        }
        assertThat(Files.size(dir.resolve("model.onnx.data"))).isGreaterThan(1L << 31);
    }

    @Test
    void locationsLeavingTheModelDirectoryAreRejected() throws Exception {
        dataFile(64);
        for (String bad : new String[] {"../model.onnx.data", "sub/../../x.data", "/etc/passwd", "..\\x.data", ""}) {
            Path model = modelWith(ref("t", new long[] {4}, bad, "0", "16"));
            assertThatThrownBy(() -> OnnxModel.readInitializers(model)).as(bad).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("model.onnx");
        }
    }

    @Test
    void referencesInsideLoopBodiesAndDecodersInSubdirectoriesAreChecked() throws Exception {
        dataFile(64);
        OnnxMl.GraphProto body = OnnxMl.GraphProto.newBuilder().setName("body")
                .addInitializer(ref("inner", new long[] {4}, "model.onnx.data", "60", "16")).build();
        OnnxMl.GraphProto main = OnnxMl.GraphProto.newBuilder().setName("g")
                .addInitializer(ref("outer", new long[] {4}, "model.onnx.data", "0", "16"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Loop").addAttribute(OnnxMl.AttributeProto.newBuilder()
                        .setName("body").setType(OnnxMl.AttributeProto.AttributeType.GRAPH).setG(body)))
                .build();
        assertThatThrownBy(() -> ExternalData.checkGraph(main, dir.resolve("model.onnx"), dir))
                .isInstanceOf(BadInputException.class).hasMessageContaining("tensor inner").hasMessageContaining("runs past the end");

        // a decoder at onnx/model.onnx resolves locations against onnx/ and is confined to the model root
        Files.createDirectories(dir.resolve("onnx"));
        Files.write(dir.resolve("onnx/model.onnx_data"), new byte[32]);
        OnnxMl.GraphProto sub = OnnxMl.GraphProto.newBuilder().setName("g")
                .addInitializer(ref("w", new long[] {8}, "model.onnx_data", "0", "32")).build();
        var files = ExternalData.checkGraph(sub, dir.resolve("onnx/model.onnx"), dir);
        assertThat(files).containsEntry(dir.resolve("onnx/model.onnx_data").toRealPath(), 32L);
    }

    @Test
    void symlinkLeadingOutOfTheDirectoryIsRejected() throws Exception {
        Path outside = Files.createTempFile("outside", ".data");
        try {
            Files.write(outside, new byte[64]);
            Files.createSymbolicLink(dir.resolve("link.data"), outside);
            Path model = modelWith(ref("t", new long[] {4}, "link.data", "0", "16"));
            assertThatThrownBy(() -> OnnxModel.readInitializers(model)).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("outside the model directory");
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void offsetsAndLengthsAreCheckedAgainstTheFileAndTheShape() throws Exception {
        dataFile(64);
        String[][] cases = {
            {"0", "16", "[64"}, // fine: sanity of the harness, replaced below
            {"56", "16", "runs past the end"},
            {"65", null, "runs past the end"},
            {"0", "12", "does not match its shape"},
            {"-4", "16", "bad external offset"},
            {"9223372036854775807", "16", "runs past the end"},
            {"x", "16", "bad external offset"},
        };
        for (String[] c : cases) {
            Path model = modelWith(ref("t", new long[] {4}, "model.onnx.data", c[0], c[1]));
            if (c[2].equals("[64")) {
                assertThat(OnnxModel.readInitializers(model)).containsKey("t");
                continue;
            }
            assertThatThrownBy(() -> OnnxModel.readInitializers(model)).as(c[0] + "/" + c[1]).isInstanceOf(BadInputException.class)
                    .hasMessageContaining(c[2]).hasMessageContaining("tensor t");
        }
        Path overflow = modelWith(ref("t", new long[] {1L << 62, 1L << 62}, "model.onnx.data", "0", null));
        assertThatThrownBy(() -> OnnxModel.readInitializers(overflow)).isInstanceOf(BadInputException.class).hasMessageContaining("bad dims");
        Path missing = modelWith(ref("t", new long[] {4}, "nothere.data", "0", "16"));
        assertThatThrownBy(() -> OnnxModel.readInitializers(missing)).isInstanceOf(BadInputException.class).hasMessageContaining("missing");
    }
}
