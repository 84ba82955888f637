package rlif.models.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;

public class GgufCheckpointTest {
    @TempDir
    Path dir;

    /**
     * llama.cpp's converter permutation, written as its numpy expression reads: view the rows of each head as
     * {@code [2, headDim/2]}, swap the two axes, flatten. Row-major, {@code cols} values per row.
     */
    public static float[] llamaCppPermute(float[] hf, int heads, int headDim, int cols) {
        float[] out = new float[hf.length];
        int half = headDim / 2;
        int r = 0;
        for (int h = 0; h < heads; h++) {
            for (int a = 0; a < half; a++) { // axis of size headDim/2 is now first
                for (int b = 0; b < 2; b++) { // the pair axis second
                    int src = h * headDim + b * half + a;
                    System.arraycopy(hf, src * cols, out, r * cols, cols);
                    r++;
                }
            }
        }
        return out;
    }

    private static float[] random(int n, Random rnd) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) rnd.nextGaussian();
        }
        return f;
    }

    /** A tiny llama GGUF: 1 layer, hidden 8, 2 query heads of 4, 1 kv head, vocab 6, untied output. */
    static GgufTestWriter tinyLlama(float[] q, float[] k, Random rnd) {
        int hidden = 8;
        int headDim = 4;
        GgufTestWriter w = new GgufTestWriter()
                .string("general.architecture", "llama")
                .u32("llama.block_count", 1)
                .u32("llama.context_length", 64)
                .u32("llama.embedding_length", hidden)
                .u32("llama.feed_forward_length", 12)
                .u32("llama.attention.head_count", 2)
                .u32("llama.attention.head_count_kv", 1)
                .f32("llama.rope.freq_base", 50000f)
                .f32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .string("tokenizer.ggml.model", "gpt2")
                .stringArray("tokenizer.ggml.tokens", List.of("a", "b", "c", "ab", "<s>", "</s>"))
                .stringArray("tokenizer.ggml.merges", List.of("a b"))
                .u32("tokenizer.ggml.bos_token_id", 4)
                .u32("tokenizer.ggml.eos_token_id", 5);
        w.tensorOfFloats("token_embd.weight", new long[] {hidden, 6}, random(6 * hidden, rnd));
        w.tensorOfFloats("blk.0.attn_q.weight", new long[] {hidden, 2 * headDim}, llamaCppPermute(q, 2, headDim, hidden));
        w.tensorOfFloats("blk.0.attn_k.weight", new long[] {hidden, headDim}, llamaCppPermute(k, 1, headDim, hidden));
        w.tensorOfFloats("blk.0.attn_v.weight", new long[] {hidden, headDim}, random(headDim * hidden, rnd));
        w.tensorOfFloats("blk.0.attn_output.weight", new long[] {2 * headDim, hidden}, random(hidden * 2 * headDim, rnd));
        w.tensorOfFloats("blk.0.ffn_gate.weight", new long[] {hidden, 12}, random(12 * hidden, rnd));
        w.tensorOfFloats("blk.0.ffn_up.weight", new long[] {hidden, 12}, random(12 * hidden, rnd));
        w.tensorOfFloats("blk.0.ffn_down.weight", new long[] {12, hidden}, random(12 * hidden, rnd));
        w.tensorOfFloats("blk.0.attn_norm.weight", new long[] {hidden}, random(hidden, rnd));
        w.tensorOfFloats("blk.0.ffn_norm.weight", new long[] {hidden}, random(hidden, rnd));
        w.tensorOfFloats("output_norm.weight", new long[] {hidden}, random(hidden, rnd));
        w.tensorOfFloats("output.weight", new long[] {hidden, 6}, random(6 * hidden, rnd));
        return w;
    }

    @Test
    void queryAndKeyRowsComeBackInHuggingFaceOrder() {
        Random rnd = new Random(3);
        float[] q = random(8 * 8, rnd);
        float[] k = random(4 * 8, rnd);
        Path f = tinyLlama(q, k, rnd).write(dir.resolve("tiny.gguf"));
        try (GgufCheckpoint c = GgufCheckpoint.open(f)) {
            assertThat(c.get("model.layers.0.self_attn.q_proj.weight").toFloats()).containsExactly(q);
            assertThat(c.get("model.layers.0.self_attn.k_proj.weight").toFloats()).containsExactly(k);
            assertThat(c.get("model.layers.0.self_attn.q_proj.weight").shape()).containsExactly(8, 8);
            assertThat(c.get("model.layers.0.mlp.down_proj.weight").shape()).containsExactly(8, 12);
            assertThat(c.names()).contains("lm_head.weight", "model.norm.weight", "model.embed_tokens.weight",
                    "model.layers.0.input_layernorm.weight", "model.layers.0.post_attention_layernorm.weight",
                    "model.layers.0.mlp.gate_proj.weight", "model.layers.0.mlp.up_proj.weight",
                    "model.layers.0.self_attn.v_proj.weight", "model.layers.0.self_attn.o_proj.weight");
        }
    }

    @Test
    void qwen2KeepsItsRowOrderAndBiases() {
        Random rnd = new Random(6);
        float[] q = random(8 * 8, rnd);
        float[] qBias = random(8, rnd);
        GgufTestWriter w = new GgufTestWriter()
                .string("general.architecture", "qwen2")
                .u32("qwen2.block_count", 1)
                .u32("qwen2.embedding_length", 8)
                .u32("qwen2.feed_forward_length", 12)
                .u32("qwen2.attention.head_count", 2)
                .u32("qwen2.attention.head_count_kv", 1)
                .f32("qwen2.rope.freq_base", 1000000f)
                .f32("qwen2.attention.layer_norm_rms_epsilon", 1e-6f);
        w.tensorOfFloats("token_embd.weight", new long[] {8, 6}, random(48, rnd));
        w.tensorOfFloats("blk.0.attn_q.weight", new long[] {8, 8}, q);
        w.tensorOfFloats("blk.0.attn_q.bias", new long[] {8}, qBias);
        Path f = w.write(dir.resolve("qwen.gguf"));
        try (GgufCheckpoint c = GgufCheckpoint.open(f)) {
            assertThat(c.config().path("model_type").asText()).isEqualTo("qwen2");
            assertThat(c.config().path("rope_theta").asDouble()).isEqualTo(1e6);
            assertThat(c.config().path("tie_word_embeddings").asBoolean()).isTrue();
            assertThat(c.get("model.layers.0.self_attn.q_proj.weight").toFloats()).containsExactly(q);
            assertThat(c.get("model.layers.0.self_attn.q_proj.bias").toFloats()).containsExactly(qBias);
        }
    }

    @Test
    void configIsSynthesisedFromLlamaMetadata() {
        Random rnd = new Random(4);
        Path f = tinyLlama(random(64, rnd), random(32, rnd), rnd).write(dir.resolve("tiny.gguf"));
        try (GgufCheckpoint c = GgufCheckpoint.open(f)) {
            JsonNode j = c.config();
            assertThat(j.path("model_type").asText()).isEqualTo("llama");
            assertThat(j.path("vocab_size").asInt()).isEqualTo(6);
            assertThat(j.path("hidden_size").asInt()).isEqualTo(8);
            assertThat(j.path("intermediate_size").asInt()).isEqualTo(12);
            assertThat(j.path("num_hidden_layers").asInt()).isEqualTo(1);
            assertThat(j.path("num_attention_heads").asInt()).isEqualTo(2);
            assertThat(j.path("num_key_value_heads").asInt()).isEqualTo(1);
            assertThat(j.path("head_dim").asInt()).isEqualTo(4);
            assertThat(j.path("rope_theta").asDouble()).isEqualTo(50000.0);
            assertThat(j.path("rms_norm_eps").asDouble()).isCloseTo(1e-5, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(j.path("max_position_embeddings").asInt()).isEqualTo(64);
            assertThat(j.path("tie_word_embeddings").asBoolean()).isFalse();
            assertThat(j.path("bos_token_id").asInt()).isEqualTo(4);
            assertThat(j.path("eos_token_id").asInt()).isEqualTo(5);
        }
    }

    @Test
    void unsupportedArchitecturesAndUnmappedTensorsAreRejected() {
        Path f = new GgufTestWriter().string("general.architecture", "mamba").write(dir.resolve("m.gguf"));
        assertThatThrownBy(() -> GgufCheckpoint.open(f).close()).isInstanceOf(BadInputException.class)
                .hasMessageContaining("'mamba' is not supported");
        Path g = new GgufTestWriter().string("general.architecture", "llama")
                .tensorOfFloats("rope_freqs.weight", new long[] {2}, new float[] {1, 1}).write(dir.resolve("r.gguf"));
        assertThatThrownBy(() -> GgufCheckpoint.open(g).close()).isInstanceOf(BadInputException.class)
                .hasMessageContaining("rope_freqs.weight");
    }

    /**
     * Random byte mutations of a small llama GGUF, pushed through everything an import reads (config, tokenizer,
     * every tensor): each must succeed or fail with BadInputException naming the file.
     */
    @Test
    void mutatedCheckpointsImportOrFailCleanly() throws java.io.IOException {
        Random rnd = new Random(9);
        byte[] good = tinyLlama(random(64, rnd), random(32, rnd), rnd).bytes();
        Path f = dir.resolve("mut.gguf");
        int ok = 0;
        for (int i = 0; i < 250; i++) {
            byte[] b = good.clone();
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                b[rnd.nextInt(Math.min(b.length, 1400))] = (byte) rnd.nextInt(256);
            }
            java.nio.file.Files.write(f, b);
            try (GgufCheckpoint c = GgufCheckpoint.open(f)) {
                c.config();
                GgufTokenizer t = c.tokenizer();
                t.tokenizerJson();
                t.tokenizerConfig(64);
                for (String name : c.names()) {
                    c.get(name);
                }
                ok++;
            } catch (BadInputException expected) {
                assertThat(expected.getMessage()).startsWith(f.toString());
            }
        }
        assertThat(ok).as("some mutations leave a valid checkpoint").isPositive();
    }
}
