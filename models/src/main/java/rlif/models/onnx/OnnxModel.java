package rlif.models.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import rlif.models.BadInputException;
import rlif.models.tensor.Tensor;

/**
 * An ONNX model file read from disk: its {@code ModelProto} and access to its initializers, inline or in
 * external data (memory-mapped, see {@link ExternalData}).
 *
 * <p>The file is memory-mapped and parsed with aliasing, so inline weights are not copied onto the heap.
 */
public final class OnnxModel implements AutoCloseable {
    private final Path file;
    private final OnnxMl.ModelProto proto;
    private final ExternalData external;

    private OnnxModel(Path file, OnnxMl.ModelProto proto) {
        this.file = file;
        this.proto = proto;
        this.external = new ExternalData(file);
    }

    /** Reads and parses {@code file}; a missing, oversized or malformed file is a {@link BadInputException}. */
    public static OnnxModel read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": no such ONNX model file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new BadInputException(file + ": " + size + " bytes is over the 2 GB protobuf limit; large weights belong in external data");
            }
            ByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            CodedInputStream in = CodedInputStream.newInstance(map);
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(in);
            if (!proto.hasGraph()) {
                throw new BadInputException(file + ": not an ONNX model (no graph)");
            }
            return new OnnxModel(file, proto);
        } catch (InvalidProtocolBufferException e) {
            throw new BadInputException(file + ": not a valid ONNX model: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    public OnnxMl.ModelProto proto() {
        return proto;
    }

    /** One tensor proto's data, inline or external. */
    public Tensor tensor(OnnxMl.TensorProto p) {
        return ExternalData.isExternal(p) ? external.read(p) : TensorProtos.fromInlineProto(p, file.toString());
    }

    /** All initializers of the main graph by name, in file order. */
    public SequencedMap<String, Tensor> initializers() {
        SequencedMap<String, Tensor> out = new LinkedHashMap<>();
        for (OnnxMl.TensorProto p : proto.getGraph().getInitializerList()) {
            if (out.put(p.getName(), tensor(p)) != null) {
                throw new BadInputException(file + ": initializer " + p.getName() + " appears twice");
            }
        }
        return out;
    }

    /**
     * Checks every external reference (main graph, subgraphs, sparse initializers, tensor attributes) against
     * the model file's directory and the data files' sizes, without mapping data; returns the data files and sizes.
     */
    public Map<Path, Long> checkExternalData() {
        return ExternalData.checkGraph(proto.getGraph(), file, file.toAbsolutePath().getParent());
    }

    /** The opset version of the standard domain, or -1 when absent. */
    public long opset() {
        return proto.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(OnnxMl.OperatorSetIdProto::getVersion).findFirst().orElse(-1);
    }

    @Override
    public void close() {
        external.close();
    }

    /** Convenience: all tensors of a model file, keyed by name. */
    public static Map<String, Tensor> readInitializers(Path file) {
        try (OnnxModel m = read(file)) {
            return m.initializers();
        }
    }
}
