package rlif.models.arch;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import rlif.models.gguf.GgmlType;
import rlif.models.gguf.GgufCheckpointTest;
import rlif.models.gguf.GgufTestWriter;
import rlif.models.gguf.ReferenceQuantizer;
import rlif.models.importer.CheckpointSource;
import rlif.models.importer.ImportDtype;
import rlif.models.importer.ModelImporter;

/**
 * A one-layer llama GGUF whose every matrix is a quantized type, as llama.cpp writes them: q (Q4_1) and k (Q4_0)
 * with llama.cpp's row permutation, v (Q8_0), o, gate, up, down (Q4_0/Q4_1), a tied head on a Q8_0 embedding. Two
 * query heads of 16 share one KV head; the input widths (32 and 64) are whole blocks.
 */
public final class TinyQuantizedGguf {
    public static final int HIDDEN = 32;
    public static final int HEAD = 16;
    public static final int FFN = 64;
    public static final int VOCAB = 6;
    /** Beginning and end of sequence ids of {@link #write}'s vocabulary. */
    public static final int BOS = 4;
    public static final int EOS = 5;

    private TinyQuantizedGguf() {}

    /** Writes the model to {@code file} (seeded: the same bytes every time). */
    public static Path write(Path file) throws Exception {
        Random rnd = new Random(17);
        GgufTestWriter w = new GgufTestWriter()
                .string("general.architecture", "llama")
                .u32("llama.block_count", 1)
                .u32("llama.context_length", 64)
                .u32("llama.embedding_length", HIDDEN)
                .u32("llama.feed_forward_length", FFN)
                .u32("llama.attention.head_count", 2)
                .u32("llama.attention.head_count_kv", 1)
                .f32("llama.rope.freq_base", 10000f)
                .f32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .string("tokenizer.ggml.model", "gpt2")
                .stringArray("tokenizer.ggml.tokens", List.of("a", "b", "c", "ab", "<s>", "</s>"))
                .stringArray("tokenizer.ggml.merges", List.of("a b"))
                .u32("tokenizer.ggml.bos_token_id", BOS)
                .u32("tokenizer.ggml.eos_token_id", EOS);
        matrix(w, "token_embd.weight", VOCAB, HIDDEN, GgmlType.Q8_0, random(VOCAB * HIDDEN, rnd, 1));
        float[] q = random(2 * HEAD * HIDDEN, rnd, 0.3);
        float[] k = random(HEAD * HIDDEN, rnd, 0.3);
        matrix(w, "blk.0.attn_q.weight", 2 * HEAD, HIDDEN, GgmlType.Q4_1, GgufCheckpointTest.llamaCppPermute(q, 2, HEAD, HIDDEN));
        matrix(w, "blk.0.attn_k.weight", HEAD, HIDDEN, GgmlType.Q4_0, GgufCheckpointTest.llamaCppPermute(k, 1, HEAD, HIDDEN));
        matrix(w, "blk.0.attn_v.weight", HEAD, HIDDEN, GgmlType.Q8_0, random(HEAD * HIDDEN, rnd, 0.3));
        matrix(w, "blk.0.attn_output.weight", HIDDEN, 2 * HEAD, GgmlType.Q4_1, random(HIDDEN * 2 * HEAD, rnd, 0.3));
        matrix(w, "blk.0.ffn_gate.weight", FFN, HIDDEN, GgmlType.Q4_1, random(FFN * HIDDEN, rnd, 0.3));
        matrix(w, "blk.0.ffn_up.weight", FFN, HIDDEN, GgmlType.Q4_0, random(FFN * HIDDEN, rnd, 0.3));
        matrix(w, "blk.0.ffn_down.weight", HIDDEN, FFN, GgmlType.Q4_1, random(FFN * HIDDEN, rnd, 0.3));
        w.tensorOfFloats("blk.0.attn_norm.weight", new long[] {HIDDEN}, random(HIDDEN, rnd, 1));
        w.tensorOfFloats("blk.0.ffn_norm.weight", new long[] {HIDDEN}, random(HIDDEN, rnd, 1));
        w.tensorOfFloats("output_norm.weight", new long[] {HIDDEN}, random(HIDDEN, rnd, 1));
        w.write(file);
        return file;
    }

    /** Imports {@code gguf} into {@code out} as {@code dtype} with its linears stored as {@code linears} says. */
    public static Path imported(Path gguf, Path out, ImportDtype dtype, LinearWeights linears) throws Exception {
        try (CheckpointSource s = ModelImporter.open("gguf", gguf)) {
            ModelImporter.importModel(s, out, dtype, linears, n -> {});
        }
        return out;
    }

    private static byte[] quantize(GgmlType t, float[] x) {
        return switch (t) {
            case Q4_0 -> ReferenceQuantizer.q4_0(x).bytes;
            case Q4_1 -> ReferenceQuantizer.q4_1(x).bytes;
            case Q8_0 -> ReferenceQuantizer.q8_0(x).bytes;
            default -> throw new AssertionError(t);
        };
    }

    private static float[] random(int n, Random rnd, double std) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (rnd.nextGaussian() * std);
        }
        return f;
    }

    private static void matrix(GgufTestWriter w, String name, int rows, int cols, GgmlType t, float[] values) {
        w.tensor(name, new long[] {cols, rows}, t, quantize(t, values));
    }
}
