package rlif.models.dir;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.models.BadInputException;
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

    private OnnxModelFile(Path file, long bytes, List<TensorSpec> inputs, List<TensorSpec> outputs,
            Map<Path, Long> externalFiles) {
        this.file = file;
        this.bytes = bytes;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.externalFiles = Map.copyOf(externalFiles);
    }

    /**
     * Reads {@code file} and checks its external data against {@code root}, the directory every
     * referenced file must stay inside.
     */
    public static OnnxModelFile read(Path file, Path root) {
        OnnxMl.ModelProto model = parse(file);
        long size = sizeOf(file);
        OnnxMl.GraphProto graph = model.getGraph();
        Map<Path, Long> external = new LinkedHashMap<>();
        checkExternalData(graph, file, root, external);
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
        return new OnnxModelFile(file, size, inputs, outputs, external);
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

    private static void checkExternalData(OnnxMl.GraphProto graph, Path file, Path root, Map<Path, Long> seen) {
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            checkTensor(t, file, root, seen);
        }
        for (OnnxMl.TensorProto t : graph.getSparseInitializerList().stream()
                .flatMap(s -> java.util.stream.Stream.of(s.getValues(), s.getIndices())).toList()) {
            checkTensor(t, file, root, seen);
        }
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            for (OnnxMl.AttributeProto a : node.getAttributeList()) {
                if (a.hasT()) {
                    checkTensor(a.getT(), file, root, seen);
                }
                for (OnnxMl.TensorProto t : a.getTensorsList()) {
                    checkTensor(t, file, root, seen);
                }
                if (a.hasG()) {
                    checkExternalData(a.getG(), file, root, seen);
                }
                for (OnnxMl.GraphProto g : a.getGraphsList()) {
                    checkExternalData(g, file, root, seen);
                }
            }
        }
    }

    private static void checkTensor(OnnxMl.TensorProto t, Path file, Path root, Map<Path, Long> seen) {
        if (t.getDataLocation() != OnnxMl.TensorProto.DataLocation.EXTERNAL) {
            return;
        }
        String where = "ONNX file " + file + ", tensor '" + t.getName() + "'";
        String location = null;
        long offset = 0;
        long length = -1;
        for (OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = parseLength(e.getValue(), where, "offset");
                case "length" -> length = parseLength(e.getValue(), where, "length");
                default -> { }
            }
        }
        if (location == null || location.isEmpty()) {
            throw new BadInputException(where + ": external data has no location");
        }
        Path data = resolveInside(root, file.getParent(), location, "external data location", where);
        long size = seen.containsKey(data) ? seen.get(data) : sizeOf(data);
        seen.put(data, size);
        long expected = expectedBytes(t);
        if (length < 0) {
            length = expected;
        } else if (expected >= 0 && length != expected) {
            throw new BadInputException(where + ": external data length " + length + " does not match its shape ("
                    + expected + " bytes)");
        }
        if (length < 0) {
            throw new BadInputException(where + ": external data has no length and an element type rlif cannot size");
        }
        if (offset > size || length > size - offset) {
            throw new BadInputException(where + ": external data offset " + offset + " + length " + length
                    + " exceeds the size of " + data + " (" + size + " bytes)");
        }
    }

    /**
     * Resolves a relative file reference from an untrusted file against {@code base}, refusing absolute
     * paths, {@code ..} segments, anything that ends up outside {@code root}, and files that do not exist.
     * {@code what} names the reference in messages (e.g. "external data location"), {@code where} its source.
     */
    public static Path resolveInside(Path root, Path base, String location, String what, String where) {
        String normalized = location.replace('\\', '/');
        boolean absolute;
        try {
            absolute = normalized.startsWith("/") || normalized.matches("^[A-Za-z]:.*") || Path.of(location).isAbsolute();
        } catch (java.nio.file.InvalidPathException e) {
            throw new BadInputException(where + ": " + what + " '" + location + "' is not a valid path");
        }
        if (absolute) {
            throw new BadInputException(where + ": " + what + " '" + location
                    + "' is an absolute path; it must be relative to the model directory");
        }
        for (String segment : normalized.split("/")) {
            if (segment.equals("..")) {
                throw new BadInputException(where + ": " + what + " '" + location
                        + "' contains '..'; it must stay inside the model directory");
            }
        }
        Path resolved = base.resolve(normalized).normalize();
        Path rootNorm = root.toAbsolutePath().normalize();
        if (!resolved.toAbsolutePath().normalize().startsWith(rootNorm)) {
            throw new BadInputException(where + ": " + what + " '" + location + "' leaves the model directory " + root);
        }
        if (!Files.isRegularFile(resolved)) {
            throw new BadInputException(where + ": " + what + " '" + location + "' names " + resolved
                    + ", which does not exist");
        }
        try {
            // a symlink inside the directory must not lead the reader outside it
            if (!resolved.toRealPath().startsWith(rootNorm.toRealPath())) {
                throw new BadInputException(where + ": " + what + " '" + location
                        + "' is a link that leaves the model directory " + root);
            }
        } catch (java.io.IOException e) {
            throw new BadInputException(where + ": cannot resolve " + what + " '" + location + "': " + e.getMessage(), e);
        }
        return resolved;
    }

    private static long parseLength(String value, String where, String key) {
        try {
            long v = Long.parseLong(value.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new BadInputException(where + ": external data " + key + " '" + value + "' is not a non-negative integer");
        }
    }

    /** Bytes the tensor's shape and type call for, or -1 when rlif cannot size its element type. */
    private static long expectedBytes(OnnxMl.TensorProto t) {
        long bits = switch (t.getDataType()) {
            case 1, 6, 12 -> 32; // float, int32, uint32
            case 2, 3, 9, 17, 18, 19, 20 -> 8; // uint8, int8, bool, float8 variants
            case 4, 5, 10, 16 -> 16; // uint16, int16, float16, bfloat16
            case 7, 11, 13, 14 -> 64; // int64, double, uint64, complex64
            case 15 -> 128; // complex128
            case 21, 22 -> 4; // uint4, int4
            default -> -1;
        };
        if (bits < 0) {
            return -1;
        }
        try {
            long n = 1;
            for (long d : t.getDimsList()) {
                if (d < 0) {
                    return -1;
                }
                n = Math.multiplyExact(n, d);
            }
            return (Math.multiplyExact(n, bits) + 7) / 8;
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // a shape this large cannot fit in any file: the bounds check refuses it
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new BadInputException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }
}
