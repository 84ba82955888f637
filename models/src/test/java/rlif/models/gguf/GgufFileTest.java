package rlif.models.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;

class GgufFileTest {
    @TempDir
    Path dir;

    private static float[] floats(int n, float base) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = base + i;
        }
        return f;
    }

    /** A small valid v3 file with every metadata type, 64-byte alignment and three tensors. */
    static GgufTestWriter sample() {
        float[] x = new float[256];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i);
        }
        return new GgufTestWriter()
                .alignment(64)
                .string("general.architecture", "llama")
                .u8("t.u8", 200)
                .i16("t.i16", -3)
                .i32("t.i32", -7)
                .u64("t.u64", 1L << 40)
                .f32("t.f32", 0.25f)
                .f64("t.f64", 1e-300)
                .bool("t.bool", true)
                .stringArray("t.strings", List.of("a", "ß", ""))
                .i32Array("t.ints", new int[] {1, -2, 3})
                .f32Array("t.floats", new float[] {0.5f, -1f})
                .nestedU16("t.nested", new int[] {1, 65535}, new int[] {7})
                .tensorOfFloats("a", new long[] {3, 2}, floats(6, 10))
                .tensor("q", new long[] {256}, GgmlType.Q8_0, ReferenceQuantizer.q8_0(x).bytes)
                .tensorOfFloats("b", new long[] {5}, floats(5, -2));
    }

    @Test
    void readsMetadataOfEveryTypeAndTheTensorTable() {
        Path f = sample().write(dir.resolve("s.gguf"));
        try (GgufFile g = GgufFile.open(f)) {
            assertThat(g.version()).isEqualTo(3);
            assertThat(g.alignment()).isEqualTo(64);
            assertThat(g.dataOffset() % 64).isZero();
            assertThat(g.string("general.architecture")).contains("llama");
            assertThat(g.integer("t.u8")).hasValue(200);
            assertThat(g.integer("t.i16")).hasValue(-3);
            assertThat(g.integer("t.i32")).hasValue(-7);
            assertThat(g.integer("t.u64")).hasValue(1L << 40);
            assertThat(g.number("t.f32")).contains(0.25);
            assertThat(g.number("t.f64")).contains(1e-300);
            assertThat(g.bool("t.bool")).contains(true);
            assertThat(g.array("t.strings").orElseThrow().strings()).containsExactly("a", "ß", "");
            GgufArray ints = g.array("t.ints").orElseThrow();
            assertThat(new long[] {ints.integer(0), ints.integer(1), ints.integer(2)}).containsExactly(1, -2, 3);
            assertThat(g.array("t.floats").orElseThrow().number(1)).isEqualTo(-1.0);
            @SuppressWarnings("unchecked")
            List<GgufArray> nested = (List<GgufArray>) g.array("t.nested").orElseThrow().values();
            assertThat(nested.get(0).integer(1)).isEqualTo(65535);
            assertThat(nested.get(1).integer(0)).isEqualTo(7);

            assertThat(g.tensors().keySet()).containsExactly("a", "q", "b");
            GgufTensorInfo a = g.tensors().get("a");
            assertThat(a.dims()).containsExactly(3, 2);
            assertThat(a.shape()).containsExactly(2, 3);
            assertThat(g.floatTensor("a").toFloats()).containsExactly(floats(6, 10));
            assertThat(g.floatTensor("b").toFloats()).containsExactly(floats(5, -2));
            assertThat(g.tensors().get("q").byteSize()).isEqualTo(8 * 34);
            assertThat(g.dequantize(g.tensors().get("q"))[1]).isCloseTo((float) Math.sin(1), org.assertj.core.data.Offset.offset(0.01f));
        }
    }

    @Test
    void version2FilesReadLikeVersion3() {
        GgufTestWriter w = sample();
        w.version = 2;
        try (GgufFile g = GgufFile.open(w.write(dir.resolve("v2.gguf")))) {
            assertThat(g.version()).isEqualTo(2);
            assertThat(g.floatTensor("b").toFloats()).containsExactly(floats(5, -2));
        }
    }

    @Test
    void typeMismatchedMetadataIsABadInputNamingTheKey() {
        try (GgufFile g = GgufFile.open(sample().write(dir.resolve("s.gguf")))) {
            assertThatThrownBy(() -> g.integer("general.architecture"))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("general.architecture");
            assertThatThrownBy(() -> g.integer("t.i32", 0, 10))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("t.i32");
        }
    }

    private void assertRejected(byte[] bytes, String fault) throws IOException {
        Path f = Files.createTempFile(dir, "hostile", ".gguf");
        Files.write(f, bytes);
        assertThatThrownBy(() -> GgufFile.open(f).close())
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining(fault);
    }

    private static byte[] patched(byte[] b, int at, Consumer<ByteBuffer> patch) {
        byte[] c = b.clone();
        ByteBuffer buf = ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(at);
        patch.accept(buf);
        return c;
    }

    @Test
    void wrongMagicAndVersionsAreRejected() throws IOException {
        byte[] good = new GgufTestWriter().bytes();
        assertRejected(patched(good, 0, b -> b.put((byte) 'X')), "not a GGUF file");
        assertRejected(patched(good, 4, b -> b.putInt(1)), "GGUF version 1");
        assertRejected(patched(good, 4, b -> b.putInt(Integer.reverseBytes(3))), "big-endian");
        assertRejected(patched(good, 4, b -> b.putInt(99)), "version 99");
        assertRejected(new byte[] {'G', 'G'}, "not a GGUF file");
    }

    @Test
    void countsThatCannotFitTheFileAreRejectedBeforeAllocating() throws IOException {
        byte[] good = new GgufTestWriter().string("k", "v").bytes();
        assertRejected(patched(good, 8, b -> b.putLong(Long.MAX_VALUE)), "tensor count");
        assertRejected(patched(good, 8, b -> b.putLong(-1)), "tensor count");
        assertRejected(patched(good, 16, b -> b.putLong(1L << 50)), "metadata count");
        // zero padding after the one entry parses as a second (empty key, u8 0); a third runs out of bytes
        assertRejected(patched(good, 16, b -> b.putLong(3)), "runs past the end");
    }

    @Test
    void hugeDeclaredStringAndArrayLengthsAreRejected() throws IOException {
        GgufTestWriter.Le e = new GgufTestWriter.Le().str("k").u32(GgufValueType.STRING.id()).u64(Long.MAX_VALUE - 3);
        assertRejected(new GgufTestWriter().rawEntry(e.toBytes()).bytes(), "metadata 'k' declares");
        e = new GgufTestWriter.Le().str("arr").u32(GgufValueType.ARRAY.id()).u32(GgufValueType.UINT64.id())
                .u64(1L << 40);
        assertRejected(new GgufTestWriter().rawEntry(e.toBytes()).bytes(), "'arr' declares 1099511627776 elements");
        e = new GgufTestWriter.Le().str("arr").u32(GgufValueType.ARRAY.id()).u32(GgufValueType.STRING.id())
                .u64(Integer.MAX_VALUE);
        assertRejected(new GgufTestWriter().rawEntry(e.toBytes()).bytes(), "'arr' declares");
        e = new GgufTestWriter.Le().u64(-1L).u64(0).u64(0);
        assertRejected(new GgufTestWriter().rawEntry(e.toBytes()).bytes(), "metadata key #0 declares");
    }

    @Test
    void unknownValueAndTensorTypesAreRejected() throws IOException {
        GgufTestWriter.Le e = new GgufTestWriter.Le().str("k").u32(13).u32(0);
        assertRejected(new GgufTestWriter().rawEntry(e.toBytes()).bytes(), "unknown value type 13");
        e = new GgufTestWriter.Le().str("k").u32(GgufValueType.ARRAY.id()).u32(77).u64(0);
        assertRejected(new GgufTestWriter().rawEntry(e.toBytes()).bytes(), "unknown value type 77");
        e = new GgufTestWriter.Le().str("k").u32(GgufValueType.BOOL.id()).u8(5);
        assertRejected(new GgufTestWriter().rawEntry(e.toBytes()).bytes(), "bool has value 5");
        byte[] t = new GgufTestWriter().tensor("w", new long[] {4}, GgmlType.F32, new byte[16]).bytes();
        int typeAt = 24 + 8 + 1 + 4 + 8; // header, name, n_dims, one dim
        assertRejected(patched(t, typeAt, b -> b.putInt(99)), "unknown or unsupported ggml type 99");
    }

    @Test
    void deepArraysAreRejected() throws IOException {
        GgufTestWriter.Le e = new GgufTestWriter.Le().str("deep");
        e.u32(GgufValueType.ARRAY.id());
        for (int i = 0; i < 5; i++) {
            e.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        e.u32(GgufValueType.UINT8.id()).u64(0);
        assertRejected(new GgufTestWriter().rawEntry(e.toBytes()).bytes(), "nests arrays deeper");
    }

    @Test
    void tensorShapesOffsetsAndSizesAreChecked() throws IOException {
        int nDimsAt = 24 + 8 + 1;
        int dim0At = nDimsAt + 4;
        byte[] t = new GgufTestWriter().tensor("w", new long[] {4}, GgmlType.F32, new byte[16]).bytes();
        assertRejected(patched(t, nDimsAt, b -> b.putInt(5)), "5 dimensions");
        assertRejected(patched(t, dim0At, b -> b.putLong(-1)), "too large");
        assertRejected(patched(t, dim0At, b -> b.putLong(1000)), "past the end of the data section");
        int offsetAt = dim0At + 8 + 4;
        assertRejected(patched(t, offsetAt, b -> b.putLong(32)), "past the end of the data section");
        assertRejected(patched(t, offsetAt, b -> b.putLong(3)), "not a multiple of the alignment");
        assertRejected(patched(t, offsetAt, b -> b.putLong(Long.MIN_VALUE)), "too large");

        byte[] two = new GgufTestWriter().tensor("w", new long[] {1L << 32, 1L << 32}, GgmlType.F32, new byte[0]).bytes();
        assertRejected(two, "overflows");
        byte[] q = new GgufTestWriter().tensor("w", new long[] {30}, GgmlType.Q8_0, new byte[34]).bytes();
        assertRejected(q, "not a multiple of the Q8_0 block size 32");
        byte[] dup = new GgufTestWriter().tensor("w", new long[] {1}, GgmlType.F32, new byte[4])
                .tensor("w", new long[] {1}, GgmlType.F32, new byte[4]).bytes();
        assertRejected(dup, "appears twice");
        assertRejected(new GgufTestWriter().alignment(48).bytes(), "general.alignment 48");
        assertRejected(new GgufTestWriter().string("k", "a").string("k", "b").bytes(), "'k' appears twice");
    }

    @Test
    void undequantisableTypesSayWhichAreSupported() throws IOException {
        Path f = new GgufTestWriter().tensor("w", new long[] {256}, GgmlType.Q2_K, new byte[84]).write(dir.resolve("q2.gguf"));
        try (GgufFile g = GgufFile.open(f)) {
            assertThatThrownBy(() -> g.floatTensor("w")).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("Q2_K").hasMessageContaining("Q4_K");
        }
    }

    @Test
    void everyTruncationOfAValidFileIsABadInput() throws IOException {
        byte[] good = sample().bytes();
        Path f = dir.resolve("cut.gguf");
        for (int len = 0; len < good.length; len += len < 600 ? 1 : 13) {
            Files.write(f, Arrays.copyOf(good, len));
            int cut = len;
            // the last tensor's trailing alignment padding is not needed, so only cuts inside the data are faults
            if (len >= good.length - 64 + 5 * 4) {
                continue;
            }
            assertThatThrownBy(() -> GgufFile.open(f).close()).as("cut at %d", cut).isInstanceOf(BadInputException.class);
        }
    }

    /**
     * Random byte mutations of a valid file: each must open (and dequantise) or fail with BadInputException;
     * any other exception or error fails the test. A cheap stand-in until the Jazzer fuzz target (issue 7).
     */
    @Test
    void randomMutationsOpenOrFailCleanly() throws IOException {
        byte[] good = sample().bytes();
        Random rnd = new Random(7);
        Path f = dir.resolve("mut.gguf");
        int opened = 0;
        for (int i = 0; i < 1000; i++) {
            byte[] b = good.clone();
            int flips = 1 + rnd.nextInt(4);
            for (int k = 0; k < flips; k++) {
                int at = rnd.nextInt(Math.min(b.length, 600)); // mostly the header, where the parsing is
                b[at] = rnd.nextInt(3) == 0 ? (byte) 0xff : (byte) rnd.nextInt(256);
            }
            Files.write(f, b);
            try (GgufFile g = GgufFile.open(f)) {
                for (GgufTensorInfo t : g.tensors().values()) {
                    if (t.type().dequantisable()) {
                        g.dequantize(t);
                    }
                }
                opened++;
            } catch (BadInputException expected) {
                assertThat(expected.getMessage()).startsWith(f.toString());
            }
        }
        assertThat(opened).as("some mutations leave a valid file").isPositive();
    }
}
