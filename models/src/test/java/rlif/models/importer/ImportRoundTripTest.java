package rlif.models.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;
import rlif.models.gguf.GgmlType;
import rlif.models.gguf.GgufCheckpointTest;
import rlif.models.gguf.GgufTestWriter;
import rlif.models.gguf.ReferenceQuantizer;
import rlif.models.safetensors.SafetensorsWriter;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;
import rlif.models.tensor.Tensors;

/**
 * One set of random llama weights written by the test as a Hugging Face safetensors folder and as llama.cpp GGUF
 * files (float32 and Q8_0), each imported with {@link ModelImporter} and run under ONNX Runtime, compared with a
 * double-precision reference forward over the same weights.
 */
class ImportRoundTripTest {
    // 2 layers, grouped-query attention (4 query heads sharing 2 kv heads of 8), the fixture tokenizer's vocabulary
    static final int HIDDEN = 32, LAYERS = 2, HEADS = 4, KV_HEADS = 2, HEAD_DIM = 8, FFN = 64, VOCAB = 32000;
    static final double EPS = 1e-5, THETA = 10000;
    static final String CONFIG = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 32000, "hidden_size": 32,
             "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
             "hidden_act": "silu", "max_position_embeddings": 256, "rms_norm_eps": 1e-05, "rope_theta": 10000.0,
             "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32"}""";
    static final long[] IDS = {1, 450, 4996, 17354, 1701, 432, 17204, 29889};

    @TempDir
    Path dir;

    static Path llamaTokenizer() {
        Path p = OrtGenAiImportTest.fixture().resolve("tokenizer.json");
        assertThat(p).exists();
        return p;
    }

    /** Random weights, Hugging Face names and layouts; matrices N(0, 0.2^2), norm gains 1 + N(0, 0.1^2). */
    static Map<String, float[]> randomWeights(long seed) {
        Random r = new Random(seed);
        Map<String, float[]> w = new LinkedHashMap<>();
        w.put("model.embed_tokens.weight", gaussian(r, VOCAB * HIDDEN, 0.5, 0));
        for (int l = 0; l < LAYERS; l++) {
            String p = "model.layers." + l + ".";
            w.put(p + "input_layernorm.weight", gaussian(r, HIDDEN, 0.1, 1));
            w.put(p + "self_attn.q_proj.weight", gaussian(r, HEADS * HEAD_DIM * HIDDEN, 0.2, 0));
            w.put(p + "self_attn.k_proj.weight", gaussian(r, KV_HEADS * HEAD_DIM * HIDDEN, 0.2, 0));
            w.put(p + "self_attn.v_proj.weight", gaussian(r, KV_HEADS * HEAD_DIM * HIDDEN, 0.2, 0));
            w.put(p + "self_attn.o_proj.weight", gaussian(r, HIDDEN * HEADS * HEAD_DIM, 0.2, 0));
            w.put(p + "post_attention_layernorm.weight", gaussian(r, HIDDEN, 0.1, 1));
            w.put(p + "mlp.gate_proj.weight", gaussian(r, FFN * HIDDEN, 0.2, 0));
            w.put(p + "mlp.up_proj.weight", gaussian(r, FFN * HIDDEN, 0.2, 0));
            w.put(p + "mlp.down_proj.weight", gaussian(r, HIDDEN * FFN, 0.2, 0));
        }
        w.put("model.norm.weight", gaussian(r, HIDDEN, 0.1, 1));
        w.put("lm_head.weight", gaussian(r, VOCAB * HIDDEN, 0.2, 0));
        return w;
    }

    private static float[] gaussian(Random r, int n, double std, double mean) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (mean + std * r.nextGaussian());
        }
        return f;
    }

    static long[] hfShape(String name) {
        if (name.endsWith("layernorm.weight") || name.equals("model.norm.weight")) {
            return new long[] {HIDDEN};
        }
        if (name.endsWith("embed_tokens.weight") || name.equals("lm_head.weight")) {
            return new long[] {VOCAB, HIDDEN};
        }
        if (name.contains("q_proj")) {
            return new long[] {HEADS * HEAD_DIM, HIDDEN};
        }
        if (name.contains("k_proj") || name.contains("v_proj")) {
            return new long[] {KV_HEADS * HEAD_DIM, HIDDEN};
        }
        if (name.contains("o_proj")) {
            return new long[] {HIDDEN, HEADS * HEAD_DIM};
        }
        if (name.contains("down_proj")) {
            return new long[] {HIDDEN, FFN};
        }
        return new long[] {FFN, HIDDEN};
    }

    /** A Hugging Face folder: config.json, weights in {@code dtype} (sharded in two when asked), the fixture tokenizer. */
    static Path writeSafetensorsFolder(Path folder, Map<String, float[]> w, DType dtype, boolean sharded) throws Exception {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), CONFIG);
        Files.copy(llamaTokenizer(), folder.resolve("tokenizer.json"));
        List<Tensor> tensors = new ArrayList<>();
        w.forEach((name, values) -> tensors.add(Tensors.ofFloats(name, hfShape(name), values, dtype)));
        if (!sharded) {
            SafetensorsWriter.write(folder.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
            return folder;
        }
        int cut = tensors.size() / 2;
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        for (int i = 0; i < tensors.size(); i++) {
            index.append(i == 0 ? "" : ",").append('"').append(tensors.get(i).name()).append("\": \"model-0000")
                    .append(i < cut ? 1 : 2).append("-of-00002.safetensors\"");
        }
        Files.writeString(folder.resolve("model.safetensors.index.json"), index.append("}}").toString());
        SafetensorsWriter.write(folder.resolve("model-00001-of-00002.safetensors"), tensors.subList(0, cut), Map.of());
        SafetensorsWriter.write(folder.resolve("model-00002-of-00002.safetensors"), tensors.subList(cut, tensors.size()), Map.of());
        return folder;
    }

    /** The GGUF name llama.cpp gives a Hugging Face tensor. */
    private static String ggufName(String hf) {
        return hf.replace("model.embed_tokens.", "token_embd.").replace("model.norm.", "output_norm.")
                .replace("lm_head.", "output.").replace("model.layers.", "blk.")
                .replace(".self_attn.q_proj.", ".attn_q.").replace(".self_attn.k_proj.", ".attn_k.")
                .replace(".self_attn.v_proj.", ".attn_v.").replace(".self_attn.o_proj.", ".attn_output.")
                .replace(".mlp.gate_proj.", ".ffn_gate.").replace(".mlp.up_proj.", ".ffn_up.")
                .replace(".mlp.down_proj.", ".ffn_down.").replace(".input_layernorm.", ".attn_norm.")
                .replace(".post_attention_layernorm.", ".ffn_norm.");
    }

    /** The same checkpoint as llama.cpp writes it: reversed dims, Q/K rows permuted, 2-D weights in {@code quant}. */
    static Path writeGguf(Path file, Map<String, float[]> w, GgmlType quant) {
        GgufTestWriter g = new GgufTestWriter()
                .string("general.architecture", "llama")
                .u32("llama.block_count", LAYERS)
                .u32("llama.context_length", 256)
                .u32("llama.embedding_length", HIDDEN)
                .u32("llama.feed_forward_length", FFN)
                .u32("llama.attention.head_count", HEADS)
                .u32("llama.attention.head_count_kv", KV_HEADS)
                .f32("llama.rope.freq_base", (float) THETA)
                .f32("llama.attention.layer_norm_rms_epsilon", (float) EPS)
                .u32("llama.rope.dimension_count", HEAD_DIM)
                .sentencePieceTokenizerOf(llamaTokenizer());
        for (Map.Entry<String, float[]> e : w.entrySet()) {
            long[] s = hfShape(e.getKey());
            float[] v = e.getValue();
            if (e.getKey().contains("q_proj")) {
                v = GgufCheckpointTest.llamaCppPermute(v, HEADS, HEAD_DIM, HIDDEN);
            } else if (e.getKey().contains("k_proj")) {
                v = GgufCheckpointTest.llamaCppPermute(v, KV_HEADS, HEAD_DIM, HIDDEN);
            }
            long[] dims = s.length == 1 ? s : new long[] {s[1], s[0]};
            if (s.length == 2 && quant == GgmlType.Q8_0) {
                g.tensor(ggufName(e.getKey()), dims, GgmlType.Q8_0, ReferenceQuantizer.q8_0(v).bytes);
            } else {
                g.tensorOfFloats(ggufName(e.getKey()), dims, v);
            }
        }
        return g.write(file);
    }

    private float[][] importAndRun(String format, Path source, DType dtype) throws Exception {
        Path out = dir.resolve("out-" + format + "-" + source.getFileName() + "-" + dtype);
        try (CheckpointSource src = ModelImporter.open(format, source)) {
            ModelImporter.importModel(src, out, dtype, n -> { });
        }
        for (String f : new String[] {"model.onnx", "model.onnx.data", "config.json", "genai_config.json", "rlif.json",
            "tokenizer.json"}) {
            assertThat(out.resolve(f)).exists();
        }
        try (OrtDecoder d = new OrtDecoder(out.resolve("model.onnx"))) {
            float[][] prefill = d.step(java.util.Arrays.copyOf(IDS, IDS.length - 2));
            float[][] a = d.step(new long[] {IDS[IDS.length - 2]});
            float[][] b = d.step(new long[] {IDS[IDS.length - 1]});
            float[][] all = java.util.Arrays.copyOf(prefill, IDS.length);
            all[IDS.length - 2] = a[0];
            all[IDS.length - 1] = b[0];
            return all;
        }
    }

    private static double maxAbsDiff(float[][] got, double[][] want) {
        double worst = 0;
        for (int t = 0; t < want.length; t++) {
            for (int v = 0; v < want[t].length; v++) {
                worst = Math.max(worst, Math.abs(got[t][v] - want[t][v]));
            }
        }
        return worst;
    }

    @Test
    void safetensorsAndGgufImportsMatchTheReferenceForward() throws Exception {
        Map<String, float[]> w = randomWeights(11);
        double[][] reference = new LlamaReference(w, HIDDEN, LAYERS, HEADS, KV_HEADS, FFN, VOCAB, EPS, THETA).logits(IDS);
        double scale = 0;
        for (double[] row : reference) {
            for (double x : row) {
                scale = Math.max(scale, Math.abs(x));
            }
        }
        assertThat(scale).as("logits spread over a few units").isGreaterThan(1);

        // float32 end to end: only float32 rounding separates the graph from the double reference (1e-4 on logits
        // of a few units, ~2^-24 relative accumulated over two layers and 32-wide dot products)
        double st = maxAbsDiff(importAndRun("safetensors", writeSafetensorsFolder(dir.resolve("hf"), w, DType.F32, false), DType.F32), reference);
        double gg = maxAbsDiff(importAndRun("gguf", writeGguf(dir.resolve("f32.gguf"), w, GgmlType.F32), DType.F32), reference);
        // bfloat16 weights in two shards: the reference keeps float32 weights, so the gap is bfloat16's 2^-9
        // relative weight rounding propagated to logits of a few units: allow 0.15
        double bf = maxAbsDiff(importAndRun("safetensors", writeSafetensorsFolder(dir.resolve("hf-bf16"), w, DType.BF16, true), DType.F32), reference);
        // Q8_0 rounds each weight by up to amax/254 of its 32-block, about 1% of a Gaussian weight's deviation
        // (amax ~ 2.5 sd), against bfloat16's 0.2-0.4%: scale bfloat16's allowance by that ratio and allow 0.4
        double q8 = maxAbsDiff(importAndRun("gguf", writeGguf(dir.resolve("q8.gguf"), w, GgmlType.Q8_0), DType.F32), reference);
        // a float16 decoder: float16 weights and activations (11-bit mantissa) on logits of a few units: allow 0.1
        double f16 = maxAbsDiff(importAndRun("safetensors", dir.resolve("hf"), DType.F16), reference);
        System.out.printf("max |logit - reference| (logit scale %.2f): safetensors f32 %.2g, gguf f32 %.2g, "
                + "safetensors bf16 sharded %.2g, gguf q8_0 %.2g, fp16 decoder %.2g%n", scale, st, gg, bf, q8, f16);
        assertThat(st).isLessThan(1e-4);
        assertThat(gg).isLessThan(1e-4);
        assertThat(bf).isLessThan(0.15);
        assertThat(q8).isLessThan(0.4);
        assertThat(f16).isLessThan(0.1);
    }

    @Test
    void tokenIdsTheEmbeddingCannotHoldAreRejected() throws Exception {
        Path folder = writeSafetensorsFolder(dir.resolve("small"), randomWeights(2), DType.F32, false);
        Files.writeString(folder.resolve("config.json"), CONFIG.replace("\"vocab_size\": 32000", "\"vocab_size\": 100"));
        try (CheckpointSource src = ModelImporter.open("safetensors", folder)) {
            assertThatThrownBy(() -> ModelImporter.importModel(src, dir.resolve("x"), DType.F32, n -> { }))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("embed_tokens");
        }
    }
}
