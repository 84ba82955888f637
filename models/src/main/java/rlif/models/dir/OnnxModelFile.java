package rlif.models.dir;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import rlif.models.BadInputException;
import rlif.models.onnx.ExternalData;
import rlif.models.tensor.DType;

/**
 * An ONNX model file read as untrusted input: parsed with the generated {@code OnnxMl} protobuf
 * classes, its graph inputs and outputs described, and every external-data reference checked to stay
 * inside the model directory and within the size of the file it points into.
 *
 * <p>Only the graph's interface and the external-data index are kept; the parsed protobuf (which may
 * hold inline weights) is dropped after {@link #read}. {@link #parse} gives the whole {@code ModelProto}
 * to callers that need it.
 */
public final class OnnxModelFile {
    private final Path file;
    private final long bytes;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final Map<Path, Long> externalFiles;
    private final boolean rowsNeedEqualLengths;

    private OnnxModelFile(Path file, long bytes, List<TensorSpec> inputs, List<TensorSpec> outputs,
            Map<Path, Long> externalFiles, boolean rowsNeedEqualLengths) {
        this.file = file;
        this.bytes = bytes;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.externalFiles = Map.copyOf(externalFiles);
        this.rowsNeedEqualLengths = rowsNeedEqualLengths;
    }

    /**
     * Reads {@code file} and checks its external data against {@code root}, the directory every
     * referenced file must stay inside.
     */
    public static OnnxModelFile read(Path file, Path root) {
        OnnxMl.ModelProto model = parse(file);
        long size = sizeOf(file);
        OnnxMl.GraphProto graph = model.getGraph();
        Map<Path, Long> external = ExternalData.checkGraph(graph, file, root);
        List<String> initializers = new ArrayList<>();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            initializers.add(t.getName());
        }
        List<TensorSpec> inputs = new ArrayList<>();
        for (OnnxMl.ValueInfoProto v : graph.getInputList()) {
            // Older exporters list initializers as graph inputs too; they are weights, not inputs.
            if (!initializers.contains(v.getName())) {
                inputs.add(spec(v));
            }
        }
        List<TensorSpec> outputs = new ArrayList<>();
        for (OnnxMl.ValueInfoProto v : graph.getOutputList()) {
            outputs.add(spec(v));
        }
        return new OnnxModelFile(file, size, inputs, outputs, external, rightPaddedAttention(graph));
    }

    /** Input index of {@code com.microsoft.GroupQueryAttention}'s additive {@code attention_bias}. */
    private static final int GQA_ATTENTION_BIAS = 10;

    /**
     * Whether some attention node reads each row's length from the mask as if rows were right-padded:
     * ONNX Runtime's {@code GroupQueryAttention} without an {@code attention_bias}, as ORT-GenAI's builder writes
     * it ({@code seqlens_k = sum(mask) - 1}). rlif left-pads, and such a node then attends to the padding and
     * writes the cache at the wrong positions (seen: 1 of 8 rows the same as batch 1, entropies up to 5.4 nats
     * apart, SmolLM2's ORT-GenAI export with ONNX Runtime 1.29). rlif's own fused attention passes the padding
     * as {@code attention_bias} and is exact for every padding.
     */
    private static boolean rightPaddedAttention(OnnxMl.GraphProto graph) {
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("GroupQueryAttention") && n.getDomain().equals("com.microsoft")
                    && (n.getInputCount() <= GQA_ATTENTION_BIAS || n.getInput(GQA_ATTENTION_BIAS).isEmpty())) {
                return true;
            }
        }
        return false;
    }

    /** Parses {@code file} as an ONNX {@code ModelProto}; a file that does not parse is bad input. */
    public static OnnxMl.ModelProto parse(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("ONNX file " + file + " does not exist or is not a regular file");
        }
        OnnxMl.ModelProto model;
        try (InputStream in = Files.newInputStream(file)) {
            CodedInputStream coded = CodedInputStream.newInstance(in);
            coded.setSizeLimit(Integer.MAX_VALUE); // protobuf's own ceiling; larger models need external data
            coded.setRecursionLimit(200);
            model = OnnxMl.ModelProto.parseFrom(coded);
        } catch (InvalidProtocolBufferException e) {
            throw new BadInputException("ONNX file " + file + " is truncated or not an ONNX model ("
                    + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new BadInputException("cannot read ONNX file " + file + ": " + e.getMessage(), e);
        }
        // A file cut exactly between two fields parses; a model without a graph interface cannot be one.
        if (!model.hasGraph() || model.getGraph().getOutputCount() == 0 || model.getGraph().getNodeCount() == 0) {
            throw new BadInputException("ONNX file " + file + " is truncated or not an ONNX model (no graph outputs or nodes)");
        }
        return model;
    }

    public Path file() {
        return file;
    }

    /** Size of the .onnx file itself in bytes. */
    public long bytes() {
        return bytes;
    }

    /** Graph inputs that are fed at run time (initializers excluded), in graph order. */
    public List<TensorSpec> inputs() {
        return inputs;
    }

    /** Graph outputs, in graph order. */
    public List<TensorSpec> outputs() {
        return outputs;
    }

    /**
     * Whether rows of one batch must have the same length (no padding) for the decoder to be exact; engines then
     * run a batch as sub-batches of equal-length rows (ORT-GenAI's GroupQueryAttention exports).
     */
    public boolean rowsNeedEqualLengths() {
        return rowsNeedEqualLengths;
    }

    /** Every external data file the model references, with its size in bytes. */
    public Map<Path, Long> externalFiles() {
        return externalFiles;
    }

    public java.util.Optional<TensorSpec> input(String name) {
        return inputs.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public java.util.Optional<TensorSpec> output(String name) {
        return outputs.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    private static TensorSpec spec(OnnxMl.ValueInfoProto v) {
        OnnxMl.TypeProto.Tensor tensor = v.getType().getTensorType();
        int code = tensor.getElemType();
        DType dtype;
        try {
            dtype = DType.fromOnnxCode(code);
        } catch (IllegalArgumentException e) {
            dtype = null;
        }
        OnnxMl.TensorShapeProto shape = tensor.getShape();
        long[] dims = new long[shape.getDimCount()];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            OnnxMl.TensorShapeProto.Dimension d = shape.getDim(i);
            dims[i] = d.hasDimValue() ? d.getDimValue() : -1;
            names.add(d.hasDimParam() ? d.getDimParam() : "");
        }
        return new TensorSpec(v.getName(), dtype, code, dims, names);
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new BadInputException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }
}
