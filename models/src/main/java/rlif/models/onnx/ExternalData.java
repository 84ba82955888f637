package rlif.models.onnx;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import rlif.models.BadInputException;
import rlif.models.tensor.Tensor;

/**
 * Reads tensors whose bytes live in ONNX external data files, treating the model file as untrusted.
 *
 * <p>A location must be a relative path that stays inside the model directory (no absolute paths, no
 * {@code ..}, no symlink leading out); offset and length must be non-negative, match the tensor's shape and
 * end within the file. Data is memory-mapped per tensor ({@link FileChannel#map} takes a 64-bit offset,
 * so files over 2 GB work; a single tensor must stay under 2 GB, the limit of one {@link ByteBuffer}).
 * Mappings stay valid after {@link #close()}.
 */
public final class ExternalData implements AutoCloseable {
    private final Path dir;
    private final Path root;
    private final String where;
    private final Map<String, FileChannel> channels = new HashMap<>();

    /** A reader for the external data of the model file {@code modelFile}, confined to the file's directory. */
    public ExternalData(Path modelFile) {
        this(modelFile, modelFile.toAbsolutePath().getParent());
    }

    /**
     * A reader for the external data of {@code modelFile}: locations are relative to the file's directory (as
     * ONNX specifies) and must stay inside {@code root} (the model directory, when the decoder sits in a
     * subdirectory such as {@code onnx/model.onnx}).
     */
    public ExternalData(Path modelFile, Path root) {
        Path abs = modelFile.toAbsolutePath().normalize();
        this.dir = abs.getParent();
        this.root = root.toAbsolutePath().normalize();
        this.where = abs.toString();
        if (!dir.startsWith(this.root)) {
            throw new IllegalArgumentException(modelFile + " is not inside " + root);
        }
    }

    /**
     * Checks every external reference in a graph, its subgraphs, sparse initializers and tensor attributes
     * (location, offset, length against shape and file size) without reading data; returns each data file
     * with its size.
     */
    public static Map<Path, Long> checkGraph(OnnxMl.GraphProto graph, Path modelFile, Path root) {
        Map<Path, Long> files = new java.util.TreeMap<>();
        ExternalData x = new ExternalData(modelFile, root);
        x.checkGraph(graph, files);
        return files;
    }

    private void checkGraph(OnnxMl.GraphProto graph, Map<Path, Long> files) {
        java.util.List<OnnxMl.TensorProto> tensors = new java.util.ArrayList<>(graph.getInitializerList());
        for (OnnxMl.SparseTensorProto s : graph.getSparseInitializerList()) {
            tensors.add(s.getValues());
            tensors.add(s.getIndices());
        }
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            for (OnnxMl.AttributeProto a : node.getAttributeList()) {
                if (a.hasT()) {
                    tensors.add(a.getT());
                }
                tensors.addAll(a.getTensorsList());
                if (a.hasG()) {
                    checkGraph(a.getG(), files);
                }
                for (OnnxMl.GraphProto g : a.getGraphsList()) {
                    checkGraph(g, files);
                }
            }
        }
        for (OnnxMl.TensorProto t : tensors) {
            if (isExternal(t)) {
                Ref r = ref(t);
                files.put(r.file(), r.fileSize());
            }
        }
    }

    /** Whether the proto's data is external. */
    public static boolean isExternal(OnnxMl.TensorProto p) {
        return p.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL;
    }

    /** Rejects locations that are absolute or contain {@code ..} (before touching the file system). */
    public static String checkLocationSyntax(String location, String where) {
        if (location.isEmpty() || location.indexOf('\0') >= 0) {
            throw new BadInputException(where + ": empty or malformed external data location");
        }
        String slashed = location.replace('\\', '/');
        if (slashed.startsWith("/") || slashed.matches("^[A-Za-z]:.*") || Path.of(location).isAbsolute()) {
            throw new BadInputException(where + ": external data location '" + location + "' is absolute; it must be inside the model directory");
        }
        for (String part : slashed.split("/")) {
            if (part.equals("..")) {
                throw new BadInputException(where + ": external data location '" + location + "' leaves the model directory");
            }
        }
        return location;
    }

    /** The file a location names, checked to be a regular file inside {@code modelDir} after resolving symlinks. */
    public static Path resolve(Path modelDir, String location, String where) {
        return resolve(modelDir, modelDir, location, where);
    }

    /**
     * The file {@code location} names relative to {@code base}, checked to be a regular file inside
     * {@code root} after resolving symlinks (so a link inside the directory cannot point outside it).
     */
    public static Path resolve(Path base, Path root, String location, String where) {
        checkLocationSyntax(location, where);
        Path file = base.resolve(location.replace('\\', '/')).normalize();
        try {
            Path realDir = root.toRealPath();
            if (!Files.isRegularFile(file)) {
                throw new BadInputException(where + ": external data file " + location + " is missing");
            }
            Path real = file.toRealPath();
            if (!real.startsWith(realDir)) {
                throw new BadInputException(where + ": external data location '" + location + "' leads outside the model directory");
            }
            return real;
        } catch (IOException e) {
            throw new BadInputException(where + ": cannot open external data " + location + ": " + e.getMessage(), e);
        }
    }

    /** Where a proto's external bytes are: file (real path), offset and length, all checked, and the file's size. */
    public record Ref(Path file, long offset, long length, long fileSize) {}

    /** Checks an external tensor reference against the directory and the data file's size, without mapping it. */
    public Ref ref(OnnxMl.TensorProto p) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (OnnxMl.StringStringEntryProto e : p.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = parseNonNegative(p, "offset", e.getValue());
                case "length" -> length = parseNonNegative(p, "length", e.getValue());
                default -> { } // "checksum" and future keys do not change where the bytes are
            }
        }
        if (location == null) {
            throw new BadInputException(where + ": tensor " + p.getName() + " has external data without a location");
        }
        String at = where + ": tensor " + p.getName();
        Path file = resolve(dir, root, location, at);
        long needed = expectedBytes(p, at);
        if (length < 0 && needed < 0) {
            throw new BadInputException(at + ": external data has no length and its element type (" + p.getDataType() + ") has no known size");
        } else if (needed < 0) {
            needed = length; // an element type only the runtime knows: trust the stated length, still bounds-checked
        }
        if (length < 0) {
            length = needed;
        } else if (length != needed) {
            throw new BadInputException(at + ": external length " + length + " does not match its shape (" + needed + " bytes)");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new BadInputException(at + ": cannot read size of " + location + ": " + e.getMessage(), e);
        }
        if (offset > size || length > size - offset) {
            throw new BadInputException(at + ": external data [" + offset + ", " + offset + "+" + length + ") runs past the end of "
                    + location + " (" + size + " bytes)");
        }
        return new Ref(file, offset, length, size);
    }

    /** Bytes a tensor's shape and element type need, or -1 for element types without a known size. */
    static long expectedBytes(OnnxMl.TensorProto p, String at) {
        long bits = switch (p.getDataType()) {
            case 1, 6, 12 -> 32; // float, int32, uint32
            case 2, 3, 9, 17, 18, 19, 20 -> 8; // uint8, int8, bool, float8 variants
            case 4, 5, 10, 16 -> 16; // uint16, int16, float16, bfloat16
            case 7, 11, 13, 14 -> 64; // int64, double, uint64, complex64
            case 15 -> 128; // complex128
            case 21, 22 -> 4; // uint4, int4 (packed two per byte)
            default -> -1;
        };
        long count;
        try {
            count = Tensor.elementCount(p.getDimsList().stream().mapToLong(Long::longValue).toArray());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new BadInputException(at + ": bad dims " + p.getDimsList());
        }
        if (bits < 0) {
            return -1;
        }
        if (count > (Long.MAX_VALUE - 7) / bits) {
            throw new BadInputException(at + ": shape " + p.getDimsList() + " overflows");
        }
        return (count * bits + 7) / 8;
    }

    /** The tensor, mapped read-only from its external file. */
    public Tensor read(OnnxMl.TensorProto p) {
        Ref r = ref(p);
        if (r.length() > Integer.MAX_VALUE) {
            throw new BadInputException(where + ": tensor " + p.getName() + " is " + r.length() + " bytes; tensors over 2 GB are not supported");
        }
        try {
            FileChannel ch = channels.get(r.file().toString());
            if (ch == null) {
                ch = FileChannel.open(r.file(), StandardOpenOption.READ);
                channels.put(r.file().toString(), ch);
            }
            ByteBuffer b = r.length() == 0 ? ByteBuffer.allocate(0) : ch.map(FileChannel.MapMode.READ_ONLY, r.offset(), r.length());
            return new Tensor(p.getName(), TensorProtos.dtype(p, where), TensorProtos.dims(p, where), b);
        } catch (IOException e) {
            throw new BadInputException(where + ": cannot map tensor " + p.getName() + ": " + e.getMessage(), e);
        }
    }

    private long parseNonNegative(OnnxMl.TensorProto p, String key, String v) {
        try {
            long x = Long.parseLong(v.trim());
            if (x < 0) {
                throw new NumberFormatException();
            }
            return x;
        } catch (NumberFormatException e) {
            throw new BadInputException(where + ": tensor " + p.getName() + " has bad external " + key + " '" + v + "'");
        }
    }

    @Override
    public void close() {
        for (FileChannel c : channels.values()) {
            try {
                c.close();
            } catch (IOException ignored) {
                // read-only channel; mapped buffers stay valid, nothing to lose
            }
        }
        channels.clear();
    }
}
