package rlif.models.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds GGUF files byte by byte for tests, following the layout in {@link GgufFile}'s javadoc. */
public final class GgufTestWriter {
    /** Little-endian byte sink. */
    public static final class Le {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Le u8(int v) {
            out.write(v);
            return this;
        }

        public Le u16(int v) {
            return u8(v).u8(v >> 8);
        }

        public Le u32(long v) {
            for (int i = 0; i < 4; i++) {
                out.write((int) (v >> (8 * i)));
            }
            return this;
        }

        public Le u64(long v) {
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >> (8 * i)));
            }
            return this;
        }

        public Le str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.writeBytes(b);
            return this;
        }

        public Le bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        public byte[] toBytes() {
            return out.toByteArray();
        }
    }

    private record TensorEntry(String name, long[] dims, int type, byte[] data) {}

    public int version = 3;
    int alignment = GgufFile.DEFAULT_ALIGNMENT;
    private final Le kv = new Le();
    private int kvCount;
    private final List<TensorEntry> tensors = new ArrayList<>();

    private Le key(String key, GgufValueType type) {
        kvCount++;
        return kv.str(key).u32(type.id());
    }

    /** Sets the data alignment and records it as general.alignment. */
    public GgufTestWriter alignment(int a) {
        alignment = a;
        return u32("general.alignment", a);
    }

    public GgufTestWriter string(String key, String v) {
        key(key, GgufValueType.STRING).str(v);
        return this;
    }

    public GgufTestWriter u32(String key, long v) {
        key(key, GgufValueType.UINT32).u32(v);
        return this;
    }

    public GgufTestWriter i32(String key, int v) {
        key(key, GgufValueType.INT32).u32(v);
        return this;
    }

    public GgufTestWriter u64(String key, long v) {
        key(key, GgufValueType.UINT64).u64(v);
        return this;
    }

    public GgufTestWriter f32(String key, float v) {
        key(key, GgufValueType.FLOAT32).u32(Float.floatToIntBits(v));
        return this;
    }

    public GgufTestWriter f64(String key, double v) {
        key(key, GgufValueType.FLOAT64).u64(Double.doubleToLongBits(v));
        return this;
    }

    public GgufTestWriter bool(String key, boolean v) {
        key(key, GgufValueType.BOOL).u8(v ? 1 : 0);
        return this;
    }

    public GgufTestWriter u8(String key, int v) {
        key(key, GgufValueType.UINT8).u8(v);
        return this;
    }

    public GgufTestWriter i16(String key, int v) {
        key(key, GgufValueType.INT16).u16(v);
        return this;
    }

    public GgufTestWriter stringArray(String key, List<String> values) {
        Le l = key(key, GgufValueType.ARRAY).u32(GgufValueType.STRING.id()).u64(values.size());
        values.forEach(l::str);
        return this;
    }

    public GgufTestWriter i32Array(String key, int[] values) {
        Le l = key(key, GgufValueType.ARRAY).u32(GgufValueType.INT32.id()).u64(values.length);
        for (int v : values) {
            l.u32(v);
        }
        return this;
    }

    public GgufTestWriter f32Array(String key, float[] values) {
        Le l = key(key, GgufValueType.ARRAY).u32(GgufValueType.FLOAT32.id()).u64(values.length);
        for (float v : values) {
            l.u32(Float.floatToIntBits(v));
        }
        return this;
    }

    /** An array of two arrays of u16, to exercise nesting. */
    public GgufTestWriter nestedU16(String key, int[] a, int[] b) {
        Le l = key(key, GgufValueType.ARRAY).u32(GgufValueType.ARRAY.id()).u64(2);
        for (int[] inner : new int[][] {a, b}) {
            l.u32(GgufValueType.UINT16.id()).u64(inner.length);
            for (int v : inner) {
                l.u16(v);
            }
        }
        return this;
    }

    /** Appends raw metadata bytes (key and all) counted as one entry: for hostile files. */
    public GgufTestWriter rawEntry(byte[] entry) {
        kvCount++;
        kv.bytes(entry);
        return this;
    }

    public GgufTestWriter tensor(String name, long[] ggmlDims, GgmlType type, byte[] data) {
        tensors.add(new TensorEntry(name, ggmlDims, type.id(), data));
        return this;
    }

    public GgufTestWriter tensorOfFloats(String name, long[] ggmlDims, float[] values) {
        Le l = new Le();
        for (float v : values) {
            l.u32(Float.floatToIntBits(v));
        }
        return tensor(name, ggmlDims, GgmlType.F32, l.toBytes());
    }

    /**
     * Stores a SentencePiece llama {@code tokenizer.json} (as in the llama fixture) the way llama.cpp does: tokens by
     * id, scores falling with the id for normal pieces, token types, bos 1 / eos 2 / unk 0, add_bos.
     */
    public GgufTestWriter sentencePieceTokenizerOf(Path tokenizerJson) {
        com.fasterxml.jackson.databind.JsonNode tok;
        try {
            tok = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> tokens = new ArrayList<>();
        tok.path("model").path("vocab").properties().forEach(e -> setAt(tokens, e.getValue().asInt(), e.getKey()));
        tok.path("added_tokens").forEach(a -> setAt(tokens, a.path("id").asInt(), a.path("content").asText()));
        int[] types = new int[tokens.size()];
        float[] scores = new float[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            types[i] = i == 0 ? 2 : i < 3 ? 3 : tokens.get(i).matches("<0x[0-9A-F]{2}>") ? 6 : 1;
            // SentencePiece BPE scores fall with the id (the order pieces were learnt); byte and control pieces 0
            scores[i] = types[i] == 1 ? -i : 0;
        }
        return string("tokenizer.ggml.model", "llama")
                .stringArray("tokenizer.ggml.tokens", tokens)
                .f32Array("tokenizer.ggml.scores", scores)
                .i32Array("tokenizer.ggml.token_type", types)
                .u32("tokenizer.ggml.bos_token_id", 1)
                .u32("tokenizer.ggml.eos_token_id", 2)
                .u32("tokenizer.ggml.unknown_token_id", 0)
                .bool("tokenizer.ggml.add_bos_token", true);
    }

    private static void setAt(List<String> list, int i, String v) {
        while (list.size() <= i) {
            list.add(null);
        }
        list.set(i, v);
    }

    public byte[] bytes() {
        Le out = new Le();
        out.u32(GgufFile.MAGIC).u32(version).u64(tensors.size()).u64(kvCount).bytes(kv.toBytes());
        long offset = 0;
        List<Long> offsets = new ArrayList<>();
        for (TensorEntry t : tensors) {
            offsets.add(offset);
            offset = align(offset + t.data().length);
        }
        for (int i = 0; i < tensors.size(); i++) {
            TensorEntry t = tensors.get(i);
            out.str(t.name()).u32(t.dims().length);
            for (long d : t.dims()) {
                out.u64(d);
            }
            out.u32(t.type()).u64(offsets.get(i));
        }
        pad(out);
        for (TensorEntry t : tensors) {
            out.bytes(t.data());
            pad(out);
        }
        return out.toBytes();
    }

    private long align(long v) {
        return (v + alignment - 1) / alignment * alignment;
    }

    private void pad(Le out) {
        while (out.out.size() % alignment != 0) {
            out.u8(0);
        }
    }

    public Path write(Path file) {
        try {
            return Files.write(file, bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
