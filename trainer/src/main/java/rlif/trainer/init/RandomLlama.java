package rlif.trainer.init;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import rlif.models.tensor.Tensor;

/**
 * A llama-family model with fresh random weights under Hugging Face names and a matching
 * {@code config.json}: the starting point of pretraining ({@code init:} in a training config).
 * Linear and embedding weights are normal with standard deviation {@code initStd} (as HF's
 * {@code initializer_range}); norm weights are 1.
 */
public final class RandomLlama {
    private RandomLlama() {}

    /** Sizes of the model to create. */
    public record Spec(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
            int numKvHeads, int maxPositions, double ropeTheta, double initStd, Integer bosTokenId,
            List<Integer> eosTokenIds, Integer padTokenId) {}

    /** config.json text for {@code spec} (model_type llama, untied head, float32). */
    public static String configJson(Spec s) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("vocab_size", s.vocabSize());
        c.put("hidden_size", s.hiddenSize());
        c.put("intermediate_size", s.intermediateSize());
        c.put("num_hidden_layers", s.numLayers());
        c.put("num_attention_heads", s.numHeads());
        c.put("num_key_value_heads", s.numKvHeads());
        c.put("max_position_embeddings", s.maxPositions());
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", s.ropeTheta());
        c.put("hidden_act", "silu");
        c.put("tie_word_embeddings", false);
        c.put("initializer_range", s.initStd());
        c.put("torch_dtype", "float32");
        if (s.bosTokenId() != null) {
            c.put("bos_token_id", s.bosTokenId());
        }
        if (s.eosTokenIds() != null && !s.eosTokenIds().isEmpty()) {
            c.put("eos_token_id", s.eosTokenIds().getFirst());
        }
        if (s.padTokenId() != null) {
            c.put("pad_token_id", s.padTokenId());
        }
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(c);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Random weights for {@code spec}, by Hugging Face name, in HF layout ({@code [out, in]} linears). */
    public static Map<String, Tensor> weights(Spec s, long seed) {
        Random rnd = new Random(seed);
        Map<String, Tensor> w = new LinkedHashMap<>();
        int h = s.hiddenSize();
        int d = h / s.numHeads();
        normal(w, rnd, s, "model.embed_tokens.weight", s.vocabSize(), h);
        for (int l = 0; l < s.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            ones(w, p + "input_layernorm.weight", h);
            normal(w, rnd, s, p + "self_attn.q_proj.weight", s.numHeads() * d, h);
            normal(w, rnd, s, p + "self_attn.k_proj.weight", s.numKvHeads() * d, h);
            normal(w, rnd, s, p + "self_attn.v_proj.weight", s.numKvHeads() * d, h);
            normal(w, rnd, s, p + "self_attn.o_proj.weight", h, s.numHeads() * d);
            ones(w, p + "post_attention_layernorm.weight", h);
            normal(w, rnd, s, p + "mlp.gate_proj.weight", s.intermediateSize(), h);
            normal(w, rnd, s, p + "mlp.up_proj.weight", s.intermediateSize(), h);
            normal(w, rnd, s, p + "mlp.down_proj.weight", h, s.intermediateSize());
        }
        ones(w, "model.norm.weight", h);
        normal(w, rnd, s, "lm_head.weight", s.vocabSize(), h);
        return w;
    }

    private static void normal(Map<String, Tensor> w, Random rnd, Spec s, String name, long rows, long cols) {
        float[] v = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * s.initStd());
        }
        w.put(name, Tensor.ofFloats(name, new long[] {rows, cols}, v));
    }

    private static void ones(Map<String, Tensor> w, String name, int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        w.put(name, Tensor.ofFloats(name, new long[] {n}, v));
    }
}
