package rlif.models.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import rlif.models.BadInputException;
import rlif.models.tensor.Tensor;

/**
 * A GGUF file (versions 2 and 3): metadata, tensor table and the data section, every count, length and offset
 * validated against the file size when it is opened.
 *
 * <p>Layout: magic {@code "GGUF"}, u32 version, u64 tensor count, u64 metadata count; metadata entries
 * (string key, u32 value type, value); tensor infos (string name, u32 n_dims, u64 dims[n_dims], u32 ggml type,
 * u64 offset); padding to {@code general.alignment} (default 32); the tensor data. All little-endian.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
    public static final int DEFAULT_ALIGNMENT = 32;
    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;
    /** Arrays of arrays are legal; deeper than this is hostile. */
    private static final int MAX_ARRAY_DEPTH = 3;

    private final Path file;
    private final FileChannel channel;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GgufValueType> metadataTypes;
    private final Map<String, GgufTensorInfo> tensors;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path file, FileChannel channel, int version, Map<String, Object> metadata,
            Map<String, GgufValueType> metadataTypes, Map<String, GgufTensorInfo> tensors, int alignment,
            long dataOffset) {
        this.file = file;
        this.channel = channel;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.metadataTypes = Collections.unmodifiableMap(metadataTypes);
        this.tensors = Collections.unmodifiableMap(tensors);
        this.alignment = alignment;
        this.dataOffset = dataOffset;
    }

    /** Opens and validates {@code file}; any fault is a {@link BadInputException} naming the file and the fault. */
    public static GgufFile open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such GGUF file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(file, channel);
        } catch (RuntimeException e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the parse error is what the user needs to see
            }
            throw e;
        }
    }

    private static GgufFile parse(Path file, FileChannel channel) {
        long size;
        try {
            size = channel.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        GgufReader r = new GgufReader(channel, file, size);
        if (size < 4 || r.u32("magic") != MAGIC) {
            throw r.bad("not a GGUF file (the first 4 bytes are not \"GGUF\")");
        }
        int version = r.u32("version");
        if (version != 2 && version != 3) {
            String hint = Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3
                    ? " (a big-endian GGUF; only little-endian files are supported)"
                    : version == 1 ? " (GGUF v1 predates 64-bit counts; convert it with a current llama.cpp)" : "";
            throw r.bad("GGUF version " + Integer.toUnsignedString(version) + " is not supported; versions 2 and 3 are"
                    + hint);
        }
        long tensorCount = r.u64("tensor count");
        long kvCount = r.u64("metadata count");
        // Each metadata entry needs at least a key length, a type and one byte; each tensor info at least 24 bytes.
        if (kvCount < 0 || kvCount > r.remaining() / 13) {
            throw r.bad("metadata count " + Long.toUnsignedString(kvCount) + " cannot fit in the "
                    + r.remaining() + " bytes that remain");
        }
        if (tensorCount < 0 || tensorCount > r.remaining() / 24) {
            throw r.bad("tensor count " + Long.toUnsignedString(tensorCount) + " cannot fit in the "
                    + r.remaining() + " bytes that remain");
        }

        Map<String, Object> metadata = new LinkedHashMap<>();
        Map<String, GgufValueType> types = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = r.string("metadata key #" + i);
            if (metadata.containsKey(key)) {
                throw r.bad("metadata key '" + key + "' appears twice");
            }
            GgufValueType type = valueType(r, r.u32("type of " + key), key);
            metadata.put(key, readValue(r, type, key, 0));
            types.put(key, type);
        }

        int alignment = DEFAULT_ALIGNMENT;
        if (metadata.containsKey("general.alignment")) {
            Object a = metadata.get("general.alignment");
            long al = a instanceof Long l && types.get("general.alignment").isInteger() ? l : -1;
            if (al <= 0 || al > (1 << 20) || Long.bitCount(al) != 1) {
                throw r.bad("general.alignment " + a + " is not a power of two up to 1 MiB");
            }
            alignment = (int) al;
        }

        List<GgufTensorInfo> infos = new ArrayList<>();
        Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            GgufTensorInfo info = readTensorInfo(r, i);
            if (byName.containsKey(info.name())) {
                throw r.bad("tensor '" + info.name() + "' appears twice");
            }
            if (info.offset() % alignment != 0) {
                throw r.bad("tensor '" + info.name() + "' offset " + info.offset() + " is not a multiple of the "
                        + "alignment " + alignment);
            }
            infos.add(info);
            byName.put(info.name(), info);
        }
        long headerEnd = r.position();
        long dataOffset = (headerEnd + alignment - 1) / alignment * alignment;
        long dataSize = Math.max(0, size - dataOffset);
        for (GgufTensorInfo info : infos) {
            if (info.offset() > dataSize || info.byteSize() > dataSize - info.offset()) {
                throw r.bad("tensor '" + info.name() + "' data [" + info.offset() + ", +" + info.byteSize()
                        + ") lies past the end of the data section (" + dataSize + " bytes)");
            }
        }
        return new GgufFile(file, channel, version, metadata, types, byName, alignment, dataOffset);
    }

    private static GgufValueType valueType(GgufReader r, int id, String key) {
        return GgufValueType.fromId(Integer.toUnsignedLong(id))
                .orElseThrow(() -> r.bad("metadata '" + key + "' has unknown value type " + Integer.toUnsignedString(id)));
    }

    private static Object readValue(GgufReader r, GgufValueType type, String key, int depth) {
        return switch (type) {
            case UINT8 -> (long) (r.u8(key) & 0xff);
            case INT8 -> (long) r.u8(key);
            case UINT16 -> (long) (r.u16(key) & 0xffff);
            case INT16 -> (long) r.u16(key);
            case UINT32 -> Integer.toUnsignedLong(r.u32(key));
            case INT32 -> (long) r.u32(key);
            case UINT64, INT64 -> r.u64(key);
            case FLOAT32 -> Double.parseDouble(Float.toString(r.f32(key))); // the decimal the writer meant (1e-5, not 9.99e-6)
            case FLOAT64 -> r.f64(key);
            case BOOL -> {
                byte b = r.u8(key);
                if (b != 0 && b != 1) {
                    throw r.bad("metadata '" + key + "' bool has value " + (b & 0xff));
                }
                yield b == 1;
            }
            case STRING -> r.string("metadata '" + key + "'");
            case ARRAY -> readArray(r, key, depth);
        };
    }

    private static GgufArray readArray(GgufReader r, String key, int depth) {
        if (depth >= MAX_ARRAY_DEPTH) {
            throw r.bad("metadata '" + key + "' nests arrays deeper than " + MAX_ARRAY_DEPTH);
        }
        GgufValueType et = valueType(r, r.u32("array type of " + key), key);
        long count = r.u64("array length of " + key);
        if (count < 0 || count > r.remaining() / et.minBytes() || count > Integer.MAX_VALUE - 8) {
            throw r.bad("metadata '" + key + "' declares " + Long.toUnsignedString(count) + " elements of " + et
                    + ", more than the " + r.remaining() + " remaining bytes can hold");
        }
        int n = (int) count;
        Object values = switch (et) {
            case UINT8, INT8, BOOL -> {
                byte[] a = new byte[n];
                for (int i = 0; i < n; i++) {
                    a[i] = r.u8(key);
                }
                yield a;
            }
            case UINT16, INT16 -> {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) {
                    a[i] = r.u16(key);
                }
                yield a;
            }
            case UINT32, INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = r.u32(key);
                }
                yield a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = r.u64(key);
                }
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = r.f32(key);
                }
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = r.f64(key);
                }
                yield a;
            }
            case STRING -> {
                List<String> a = new ArrayList<>(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) {
                    a.add(r.string("metadata '" + key + "'[" + i + "]"));
                }
                yield Collections.unmodifiableList(a);
            }
            case ARRAY -> {
                List<GgufArray> a = new ArrayList<>(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) {
                    a.add(readArray(r, key, depth + 1));
                }
                yield Collections.unmodifiableList(a);
            }
        };
        return new GgufArray(et, values, n);
    }

    private static GgufTensorInfo readTensorInfo(GgufReader r, long index) {
        String name = r.string("name of tensor #" + index);
        String where = "tensor '" + name + "'";
        int nDims = r.u32(where + " n_dims");
        if (nDims < 0 || nDims > MAX_DIMS) {
            throw r.bad(where + " has " + Integer.toUnsignedString(nDims) + " dimensions; at most " + MAX_DIMS);
        }
        long[] dims = new long[nDims];
        long elements = 1;
        for (int d = 0; d < nDims; d++) {
            dims[d] = r.u64(where + " dims");
            if (dims[d] < 0) {
                throw r.bad(where + " dimension " + d + " is " + Long.toUnsignedString(dims[d]) + ", too large");
            }
            try {
                elements = Math.multiplyExact(elements, dims[d]);
            } catch (ArithmeticException e) {
                throw r.bad(where + " has so many elements that the count overflows");
            }
        }
        int typeId = r.u32(where + " type");
        GgmlType type = GgmlType.fromId(Integer.toUnsignedLong(typeId)).orElseThrow(() -> r.bad(where
                + " has unknown or unsupported ggml type " + Integer.toUnsignedString(typeId)));
        if (nDims > 0 && dims[0] % type.blockSize() != 0) {
            throw r.bad(where + " row length " + dims[0] + " is not a multiple of the " + type + " block size "
                    + type.blockSize());
        }
        long byteSize;
        try {
            byteSize = Math.multiplyExact(elements / type.blockSize(), (long) type.blockBytes());
        } catch (ArithmeticException e) {
            throw r.bad(where + " byte size overflows");
        }
        long offset = r.u64(where + " offset");
        if (offset < 0) {
            throw r.bad(where + " offset " + Long.toUnsignedString(offset) + " is too large");
        }
        return new GgufTensorInfo(name, dims, type, offset, byteSize, elements);
    }

    // ---- accessors ----

    public Path path() {
        return file;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    /** Absolute file offset of the data section. */
    public long dataOffset() {
        return dataOffset;
    }

    /**
     * Metadata values: integers as {@code Long} (u64 above 2^63 wrap negative), floats as {@code Double},
     * {@code Boolean}, {@code String}, {@link GgufArray}.
     */
    public Map<String, Object> metadata() {
        return metadata;
    }

    public Optional<GgufValueType> metadataType(String key) {
        return Optional.ofNullable(metadataTypes.get(key));
    }

    /** Tensor table in file order. */
    public Map<String, GgufTensorInfo> tensors() {
        return tensors;
    }

    public Optional<String> string(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(s);
        }
        throw bad("metadata '" + key + "' is " + metadataTypes.get(key) + ", expected a string");
    }

    public OptionalLong integer(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        if (v instanceof Long l) {
            return OptionalLong.of(l);
        }
        throw bad("metadata '" + key + "' is " + metadataTypes.get(key) + ", expected an integer");
    }

    /** An integer that must lie in [min, max]; absent keys give empty. */
    public OptionalLong integer(String key, long min, long max) {
        OptionalLong v = integer(key);
        if (v.isPresent() && (v.getAsLong() < min || v.getAsLong() > max)) {
            throw bad("metadata '" + key + "' = " + v.getAsLong() + " is outside [" + min + ", " + max + "]");
        }
        return v;
    }

    public Optional<Double> number(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Double d) {
            return Optional.of(d);
        }
        if (v instanceof Long l) {
            return Optional.of(l.doubleValue());
        }
        throw bad("metadata '" + key + "' is " + metadataTypes.get(key) + ", expected a number");
    }

    public Optional<Boolean> bool(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Boolean b) {
            return Optional.of(b);
        }
        throw bad("metadata '" + key + "' is " + metadataTypes.get(key) + ", expected a bool");
    }

    public Optional<GgufArray> array(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof GgufArray a) {
            return Optional.of(a);
        }
        throw bad("metadata '" + key + "' is " + metadataTypes.get(key) + ", expected an array");
    }

    public BadInputException bad(String what) {
        return new BadInputException(file + ": " + what);
    }

    /** The raw bytes of a tensor, memory-mapped (read-only, little-endian). */
    public ByteBuffer rawData(GgufTensorInfo info) {
        if (info.byteSize() > Integer.MAX_VALUE - 8) {
            throw bad("tensor '" + info.name() + "' is " + info.byteSize() + " bytes, over the 2 GiB one buffer holds");
        }
        try {
            if (info.byteSize() == 0) {
                return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, dataOffset + info.offset(), info.byteSize())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map tensor '" + info.name() + "' of " + file + ": " + e.getMessage(), e);
        }
    }

    /** The tensor dequantised to float32 values in row-major order ({@link GgufTensorInfo#shape()}). */
    public float[] dequantize(GgufTensorInfo info) {
        if (!info.type().dequantisable()) {
            throw bad("tensor '" + info.name() + "' is " + info.type() + ", which rlif cannot dequantise (supported: "
                    + "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q5_K, Q6_K)");
        }
        if (info.elementCount() > Integer.MAX_VALUE - 8) {
            throw bad("tensor '" + info.name() + "' has " + info.elementCount() + " elements, too many for one array");
        }
        float[] out = new float[(int) info.elementCount()];
        GgmlDequantizer.dequantize(info.type(), rawData(info), out);
        return out;
    }

    /** A float32 {@link Tensor} of the named tensor, shape in row-major order. */
    public Tensor floatTensor(String name) {
        GgufTensorInfo info = tensors.get(name);
        if (info == null) {
            throw bad("no tensor named '" + name + "'");
        }
        return Tensor.ofFloats(name, info.shape(), dequantize(info));
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only channel: nothing to lose
        }
    }
}
