package rlif.models.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
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
import rlif.models.BadInputException;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * One {@code .safetensors} file: its validated header, and its tensors memory-mapped on demand.
 *
 * <p>Layout: an 8-byte little-endian header length {@code N}, {@code N} bytes of JSON mapping tensor names to
 * {@code {dtype, shape, data_offsets: [begin, end]}} (offsets relative to the data section that follows the
 * header), and an optional {@code __metadata__} string map. Everything in the header is checked against the
 * file before any tensor is read, because the file may come from anyone.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The safetensors reference implementation refuses headers over 100 MB; so do we. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** No real tensor has more dimensions; the cap keeps a hostile header from allocating huge shape arrays. */
    static final int MAX_DIMS = 64;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxNumberLength(40)
                    .maxStringLength(1 << 20)
                    .build())
            .build();

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, SafetensorsTensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path file, FileChannel channel, long dataStart,
            Map<String, SafetensorsTensorInfo> tensors, Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Opens and validates {@code file}; throws {@link BadInputException} naming the file and the fault. */
    public static SafetensorsFile open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such safetensors file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw bad(file, "file is " + size + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > size - 8) {
                throw bad(file, "header length " + Long.toUnsignedString(headerLen) + " does not fit in the file ("
                        + size + " bytes)");
            }
            if (headerLen > MAX_HEADER_BYTES) {
                throw bad(file, "header length " + headerLen + " exceeds the " + MAX_HEADER_BYTES + "-byte limit");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(channel, header, 8);
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, SafetensorsTensorInfo> tensors = parseHeader(file, header.array(), dataSize, metadata);
            return new SafetensorsFile(file, channel, dataStart, tensors, metadata);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    public Path path() {
        return file;
    }

    /** Header entries in file order. */
    public Map<String, SafetensorsTensorInfo> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Maps a tensor's bytes (read-only, no copy); only F32, F16 and BF16 tensors load. */
    public Tensor tensor(String name) {
        SafetensorsTensorInfo info = tensors.get(name);
        if (info == null) {
            throw bad(file, "no tensor named '" + name + "'");
        }
        DType dtype = info.dtype().loadable().orElseThrow(() -> bad(file, "tensor '" + name + "' has dtype "
                + info.dtype() + "; only F32, F16 and BF16 weights can be imported"));
        if (info.byteSize() > Integer.MAX_VALUE - 8) {
            throw bad(file, "tensor '" + name + "' is " + info.byteSize() + " bytes, over the 2 GiB a single buffer holds");
        }
        try {
            ByteBuffer data = info.byteSize() == 0
                    ? ByteBuffer.allocate(0)
                    : channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), info.byteSize());
            return new Tensor(name, dtype, info.shape(), data.order(ByteOrder.LITTLE_ENDIAN));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map tensor '" + name + "' of " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    // ---- header parsing (streaming, so a large hostile header cannot build a huge tree) ----

    private static Map<String, SafetensorsTensorInfo> parseHeader(Path file, byte[] json, long dataSize,
            Map<String, String> metadataOut) {
        Map<String, SafetensorsTensorInfo> tensors = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(json)) {
            expect(file, p.nextToken(), JsonToken.START_OBJECT, "the header");
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME) {
                    throw bad(file, "header: expected a tensor name, found " + t);
                }
                String name = p.currentName();
                if (name.equals("__metadata__")) {
                    parseMetadata(file, p, metadataOut);
                    continue;
                }
                if (tensors.containsKey(name)) {
                    throw bad(file, "header: tensor '" + name + "' appears twice");
                }
                tensors.put(name, parseEntry(file, p, name, dataSize));
            }
            JsonToken trailing = p.nextToken();
            if (trailing != null) {
                throw bad(file, "header: unexpected content after the JSON object");
            }
        } catch (IOException e) {
            // Jackson's JsonProcessingException (malformed JSON, limits) lands here; the file is at fault.
            throw bad(file, "header is not valid JSON: " + firstLine(e.getMessage()));
        }
        return tensors;
    }

    private static void parseMetadata(Path file, JsonParser p, Map<String, String> out) throws IOException {
        expect(file, p.nextToken(), JsonToken.START_OBJECT, "__metadata__");
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw bad(file, "header: __metadata__ value of '" + key + "' is not a string");
            }
            out.put(key, p.getText());
        }
    }

    private static SafetensorsTensorInfo parseEntry(Path file, JsonParser p, String name, long dataSize)
            throws IOException {
        String where = "header: tensor '" + name + "'";
        expect(file, p.nextToken(), JsonToken.START_OBJECT, "tensor '" + name + "'");
        SafetensorsDType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (v != JsonToken.VALUE_STRING) {
                        throw bad(file, where + ": dtype is not a string");
                    }
                    String s = p.getText();
                    dtype = SafetensorsDType.parse(s).orElseThrow(() -> bad(file, where + ": unknown dtype '"
                            + abbreviate(s) + "'"));
                }
                case "shape" -> shape = readLongs(file, p, v, where + ": shape", MAX_DIMS);
                case "data_offsets" -> offsets = readLongs(file, p, v, where + ": data_offsets", 2);
                default -> p.skipChildren();
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            throw bad(file, where + ": needs dtype, shape and data_offsets");
        }
        if (offsets.length != 2) {
            throw bad(file, where + ": data_offsets must be [begin, end]");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataSize) {
            throw bad(file, where + ": data_offsets [" + begin + ", " + end + "] outside the data section of "
                    + dataSize + " bytes");
        }
        long bytes;
        try {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            bytes = Math.multiplyExact(n, (long) dtype.bytes());
        } catch (ArithmeticException e) {
            throw bad(file, where + ": shape " + java.util.Arrays.toString(shape) + " overflows");
        }
        if (end - begin != bytes) {
            throw bad(file, where + ": shape " + java.util.Arrays.toString(shape) + " of " + dtype + " needs " + bytes
                    + " bytes but data_offsets span " + (end - begin));
        }
        return new SafetensorsTensorInfo(name, dtype, shape, begin, end);
    }

    /** Reads an array of non-negative integers of at most {@code max} entries. */
    private static long[] readLongs(Path file, JsonParser p, JsonToken start, String where, int max)
            throws IOException {
        if (start != JsonToken.START_ARRAY) {
            throw bad(file, where + " is not an array");
        }
        List<Long> values = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw bad(file, where + " holds a non-integer (" + t + ")");
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw bad(file, where + " holds an integer too large (" + abbreviate(p.getText()) + ")");
            }
            long v = p.getLongValue();
            if (v < 0) {
                throw bad(file, where + " holds a negative value " + v);
            }
            if (values.size() == max) {
                throw bad(file, where + " has more than " + max + " entries");
            }
            values.add(v);
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static void expect(Path file, JsonToken actual, JsonToken wanted, String what) {
        if (actual != wanted) {
            throw bad(file, "header: " + what + " is not a JSON object");
        }
    }

    static BadInputException bad(Path file, String what) {
        return new BadInputException(file + ": " + what);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
        buf.flip();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was written through this channel; closing a reader cannot lose data
        }
    }
}
