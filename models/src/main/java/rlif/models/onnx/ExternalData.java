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
import rlif.models.tensor.DType;
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
    private final String where;
    private final Map<String, FileChannel> channels = new HashMap<>();

    /** A reader for the external data of the model file {@code modelFile}. */
    public ExternalData(Path modelFile) {
        Path abs = modelFile.toAbsolutePath();
        this.dir = abs.getParent();
        this.where = abs.toString();
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
        checkLocationSyntax(location, where);
        Path file = modelDir.resolve(location).normalize();
        try {
            Path realDir = modelDir.toRealPath();
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

    /** Where a proto's external bytes are: file, offset and length, all checked. */
    public record Ref(Path file, long offset, long length) {}

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
        Path file = resolve(dir, location, at);
        DType t = TensorProtos.dtype(p, where);
        long[] dims = TensorProtos.dims(p, where);
        long count = Tensor.elementCount(dims);
        if (count > Long.MAX_VALUE / t.bytes()) {
            throw new BadInputException(at + ": shape " + p.getDimsList() + " overflows");
        }
        long needed = count * t.bytes();
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
        return new Ref(file, offset, length);
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
