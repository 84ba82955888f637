package rlif.models.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GGUF files rlif writes read back through rlif's reader: metadata of each type, F32 and F16 exactly, Q8_0 within
 * about half a quantisation step of the input (the step from the independent {@link ReferenceQuantizer}; 0.57 of a
 * step allows for the float16 rounding of the scale). {@code tools/interop_check.py roundtrip} checks the Q8_0 bytes
 * against the gguf package's own quantiser: identical.
 */
class GgufWriterTest {
    @TempDir
    Path dir;

    @Test
    void metadataAndTensorsReadBack() throws Exception {
        Random r = new Random(1);
        float[] a = new float[64 * 3];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextGaussian() * (i % 7 == 0 ? 5 : 0.5));
        }
        a[5] = 0; // a zero and a block that is all zeros (scale 0)
        float[] zeros = new float[32];
        GgufWriter w = new GgufWriter().string("general.architecture", "llama").u32("llama.block_count", 7)
                .f32("llama.rope.freq_base", 500000).bool("flag", true).strings("names", List.of("a", "bc"))
                .i32s("ints", new int[] {1, -2, 3}).f32s("floats", new float[] {0.5f})
                .tensor("t32", new long[] {3, 64}, a, GgmlType.F32)
                .tensor("t16", new long[] {3, 64}, a, GgmlType.F16)
                .tensor("q8", new long[] {3, 64}, a, GgmlType.Q8_0)
                .tensor("zero", new long[] {32}, zeros, GgmlType.Q8_0);
        Path f = dir.resolve("x.gguf");
        try (OutputStream out = Files.newOutputStream(f)) {
            w.write(out);
        }
        try (GgufFile g = GgufFile.open(f)) {
            assertThat(g.string("general.architecture")).contains("llama");
            assertThat(g.integer("llama.block_count")).hasValue(7L);
            assertThat(g.number("llama.rope.freq_base")).hasValue(500000.0);
            assertThat(g.bool("flag")).contains(true);
            assertThat(g.tensors().get("t32").shape()).containsExactly(3, 64);
            assertThat(g.dequantize(g.tensors().get("t32"))).containsExactly(a);
            float[] h = g.dequantize(g.tensors().get("t16"));
            for (int i = 0; i < a.length; i++) {
                assertThat(h[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(a[i])));
            }
            ReferenceQuantizer ref = ReferenceQuantizer.q8_0(a);
            float[] q = g.dequantize(g.tensors().get("q8"));
            for (int i = 0; i < a.length; i++) {
                // ggml rounds x / d with d before its float16 rounding, the reference after: both within this bound
                double step = Math.abs(ref.encoded[i] - a[i]) <= ref.bound[i] ? ref.bound[i] * 2 : 0;
                assertThat((double) Math.abs(q[i] - a[i])).isLessThanOrEqualTo(0.57 * step);
            }
            assertThat(g.dequantize(g.tensors().get("zero"))).containsOnly(0f);
        }
    }
}
