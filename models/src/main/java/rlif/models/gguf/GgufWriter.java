package rlif.models.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF version 3 file (the layout {@link GgufFile} reads): metadata of the value types llama.cpp
 * uses, then the tensor table, then the data, every tensor aligned to {@link #ALIGNMENT} bytes. Tensors are
 * given row-major float32 and stored F32, F16 or Q8_0 (blocks of 32: an f16 scale {@code max|x| / 127} and 32
 * int8s, rounding {@code x / d} half away from zero as ggml's {@code quantize_row_q8_0_ref} does).
 */
public final class GgufWriter {
    public static final int ALIGNMENT = 32;

    private final Map<String, byte[]> metadata = new LinkedHashMap<>();
    private final List<Entry> tensors = new ArrayList<>();

    private record Entry(String name, long[] shape, GgmlType type, byte[] data) {}

    public GgufWriter string(String key, String value) {
        return put(key, GgufValueType.STRING, str(value));
    }

    public GgufWriter u32(String key, long value) {
        return put(key, GgufValueType.UINT32, le(4).putInt((int) value).array());
    }

    public GgufWriter i32(String key, int value) {
        return put(key, GgufValueType.INT32, le(4).putInt(value).array());
    }

    public GgufWriter f32(String key, double value) {
        return put(key, GgufValueType.FLOAT32, le(4).putFloat((float) value).array());
    }

    public GgufWriter bool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, new byte[] {(byte) (value ? 1 : 0)});
    }

    public GgufWriter strings(String key, List<String> values) {
        ByteBuffer head = le(12).putInt(GgufValueType.STRING.id()).putLong(values.size());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(head.array());
        values.forEach(v -> out.writeBytes(str(v)));
        return put(key, GgufValueType.ARRAY, out.toByteArray());
    }

    public GgufWriter i32s(String key, int[] values) {
        ByteBuffer b = le(12 + 4L * values.length).putInt(GgufValueType.INT32.id()).putLong(values.length);
        for (int v : values) {
            b.putInt(v);
        }
        return put(key, GgufValueType.ARRAY, b.array());
    }

    public GgufWriter f32s(String key, float[] values) {
        ByteBuffer b = le(12 + 4L * values.length).putInt(GgufValueType.FLOAT32.id()).putLong(values.length);
        for (float v : values) {
            b.putFloat(v);
        }
        return put(key, GgufValueType.ARRAY, b.array());
    }

    private GgufWriter put(String key, GgufValueType type, byte[] value) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(str(key));
        out.writeBytes(le(4).putInt(type.id()).array());
        out.writeBytes(value);
        if (metadata.put(key, out.toByteArray()) != null) {
            throw new IllegalArgumentException("metadata key " + key + " written twice");
        }
        return this;
    }

    /** Adds a tensor of Hugging Face shape {@code shape} (row-major values) stored as {@code type}. */
    public GgufWriter tensor(String name, long[] shape, float[] values, GgmlType type) {
        byte[] data = switch (type) {
            case F32 -> {
                ByteBuffer b = le(4L * values.length);
                for (float v : values) {
                    b.putFloat(v);
                }
                yield b.array();
            }
            case F16 -> {
                ByteBuffer b = le(2L * values.length);
                for (float v : values) {
                    b.putShort(Float.floatToFloat16(v));
                }
                yield b.array();
            }
            case Q8_0 -> q8_0(values, shape[shape.length - 1]);
            default -> throw new IllegalArgumentException("GGUF export writes F32, F16 and Q8_0, not " + type);
        };
        tensors.add(new Entry(name, shape.clone(), type, data));
        return this;
    }

    /** Whether a row of {@code rowLength} values can be stored as {@code type} (Q8_0 needs whole blocks of 32). */
    public static boolean fits(GgmlType type, long rowLength) {
        return rowLength % type.blockSize() == 0;
    }

    static byte[] q8_0(float[] x, long rowLength) {
        if (!fits(GgmlType.Q8_0, rowLength)) {
            throw new IllegalArgumentException("Q8_0 rows must hold a multiple of 32 values, got " + rowLength);
        }
        int blocks = x.length / 32;
        ByteBuffer b = le(34L * blocks);
        for (int blk = 0; blk < blocks; blk++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(x[blk * 32 + i]));
            }
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            b.putShort(Float.floatToFloat16(d));
            for (int i = 0; i < 32; i++) {
                float v = x[blk * 32 + i] * id;
                b.put((byte) (Math.signum(v) * Math.round(Math.abs(v)))); // C's roundf: halves away from zero
            }
        }
        return b.array();
    }

    /** Writes the file to {@code sink} (the caller makes it atomic, e.g. with {@code AtomicFiles.write}). */
    public void write(OutputStream sink) throws IOException {
        OutputStream out = new BufferedOutputStream(sink, 1 << 20);
        try {
            long[] pos = {0};
            java.util.function.Consumer<byte[]> emit = bytes -> {
                try {
                    out.write(bytes);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                pos[0] += bytes.length;
            };
            List<byte[]> meta = new ArrayList<>(metadata.values());
            if (!metadata.containsKey("general.alignment")) {
                java.io.ByteArrayOutputStream a = new java.io.ByteArrayOutputStream();
                a.writeBytes(str("general.alignment"));
                a.writeBytes(le(4).putInt(GgufValueType.UINT32.id()).array());
                a.writeBytes(le(4).putInt(ALIGNMENT).array());
                meta.add(a.toByteArray());
            }
            emit.accept(le(24).putInt(GgufFile.MAGIC).putInt(3).putLong(tensors.size()).putLong(meta.size()).array());
            meta.forEach(emit);
            long offset = 0;
            for (Entry t : tensors) {
                ByteBuffer info = le(8 + t.name().getBytes(StandardCharsets.UTF_8).length + 4 + 8L * t.shape().length + 4 + 8);
                info.put(str(t.name()));
                info.putInt(t.shape().length);
                for (int i = t.shape().length - 1; i >= 0; i--) {
                    info.putLong(t.shape()[i]); // ggml lists the fastest-moving dimension first
                }
                info.putInt(t.type().id());
                info.putLong(offset);
                emit.accept(info.array());
                offset = align(offset + t.data().length);
            }
            emit.accept(new byte[(int) (align(pos[0]) - pos[0])]);
            long dataStart = pos[0];
            for (Entry t : tensors) {
                emit.accept(t.data());
                emit.accept(new byte[(int) (align(pos[0] - dataStart) - (pos[0] - dataStart))]);
            }
            out.flush();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static byte[] str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return le(8L + b.length).putLong(b.length).put(b).array();
    }

    private static ByteBuffer le(long n) {
        return ByteBuffer.allocate(Math.toIntExact(n)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
