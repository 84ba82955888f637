package rlif.models.arch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import rlif.models.tensor.Tensor;

/** Small random checkpoints in Hugging Face naming for each architecture variant, with their config.json text. */
final class TinyCheckpoints {
    private TinyCheckpoints() {}

    /** A named variant: config.json text. */
    enum Variant {
        LLAMA("""
            {"model_type":"llama","vocab_size":61,"hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,
             "num_attention_heads":4,"num_key_value_heads":4,"rms_norm_eps":1e-5,"rope_theta":10000.0,
             "max_position_embeddings":128,"tie_word_embeddings":false,"bos_token_id":1,"eos_token_id":2,"hidden_act":"silu"}"""),
        LLAMA_GQA("""
            {"model_type":"llama","vocab_size":61,"hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,
             "num_attention_heads":4,"num_key_value_heads":2,"rms_norm_eps":1e-6,"rope_theta":500000.0,
             "max_position_embeddings":128,"bos_token_id":1,"eos_token_id":[2,3]}"""),
        LLAMA3_ROPE_SCALING("""
            {"model_type":"llama","vocab_size":61,"hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,
             "num_attention_heads":4,"num_key_value_heads":2,"rms_norm_eps":1e-5,"rope_theta":50.0,
             "rope_scaling":{"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,
                             "original_max_position_embeddings":32},
             "max_position_embeddings":128,"tie_word_embeddings":true,"bos_token_id":1,"eos_token_id":2}"""),
        TIED_SMOLLM("""
            {"model_type":"llama","vocab_size":61,"hidden_size":32,"intermediate_size":40,"num_hidden_layers":2,
             "num_attention_heads":4,"num_key_value_heads":1,"rms_norm_eps":1e-5,"rope_theta":10000.0,
             "max_position_embeddings":128,"tie_word_embeddings":true,"bos_token_id":1,"eos_token_id":2,"pad_token_id":2}"""),
        QWEN2_BIASES("""
            {"model_type":"qwen2","vocab_size":61,"hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,
             "num_attention_heads":4,"num_key_value_heads":2,"rms_norm_eps":1e-6,"rope_theta":1000000.0,
             "max_position_embeddings":128,"tie_word_embeddings":true,"bos_token_id":1,"eos_token_id":2}"""),
        QWEN3_QK_NORM("""
            {"model_type":"qwen3","vocab_size":61,"hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,
             "num_attention_heads":4,"num_key_value_heads":2,"head_dim":16,"rms_norm_eps":1e-6,"rope_theta":1000000.0,
             "max_position_embeddings":128,"tie_word_embeddings":false,"attention_bias":false,"bos_token_id":1,"eos_token_id":2}"""),
        MISTRAL("""
            {"model_type":"mistral","vocab_size":61,"hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,
             "num_attention_heads":4,"num_key_value_heads":2,"rms_norm_eps":1e-5,"rope_theta":10000.0,"sliding_window":3,
             "max_position_embeddings":128,"bos_token_id":1,"eos_token_id":2}"""),
        QWEN2_SLIDING_UPPER_LAYER("""
            {"model_type":"qwen2","vocab_size":61,"hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,
             "num_attention_heads":4,"num_key_value_heads":2,"rms_norm_eps":1e-6,"rope_theta":1000000.0,
             "use_sliding_window":true,"sliding_window":2,"max_window_layers":1,
             "max_position_embeddings":128,"tie_word_embeddings":true,"bos_token_id":1,"eos_token_id":2}"""),
        GPT2("""
            {"model_type":"gpt2","vocab_size":61,"n_embd":32,"n_layer":2,"n_head":4,"n_positions":64,"n_inner":null,
             "layer_norm_epsilon":1e-5,"activation_function":"gelu_new","bos_token_id":0,"eos_token_id":0}"""),
        GPT2_ERF_GELU("""
            {"model_type":"gpt2","vocab_size":61,"n_embd":24,"n_layer":2,"n_head":3,"n_positions":64,"n_inner":40,
             "layer_norm_epsilon":1e-5,"activation_function":"gelu","tie_word_embeddings":false,"bos_token_id":0,"eos_token_id":0}""");

        final String json;

        Variant(String json) {
            this.json = json;
        }

        DecoderConfig config() {
            return HfConfig.parse(json, name() + "/config.json");
        }
    }

    /** Random weights for {@code c}: matrices ~N(0, 0.15^2) (so logits spread over a few units), norm gains ~1 + N(0, 0.1^2). */
    static Map<String, Tensor> weights(DecoderConfig config, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> m = new LinkedHashMap<>();
        switch (config) {
            case LlamaConfig c -> {
                int h = c.hiddenSize(), d = c.headDim(), q = c.numHeads() * d, kv = c.numKvHeads() * d, i = c.intermediateSize();
                put(m, r, "model.embed_tokens.weight", 0.5, 0, c.vocabSize(), h);
                for (int l = 0; l < c.numLayers(); l++) {
                    String p = "model.layers." + l + ".";
                    put(m, r, p + "input_layernorm.weight", 0.1, 1, h);
                    put(m, r, p + "post_attention_layernorm.weight", 0.1, 1, h);
                    put(m, r, p + "self_attn.q_proj.weight", 0.15, 0, q, h);
                    put(m, r, p + "self_attn.k_proj.weight", 0.15, 0, kv, h);
                    put(m, r, p + "self_attn.v_proj.weight", 0.15, 0, kv, h);
                    put(m, r, p + "self_attn.o_proj.weight", 0.15, 0, h, q);
                    if (c.qkvBias()) {
                        put(m, r, p + "self_attn.q_proj.bias", 0.2, 0, q);
                        put(m, r, p + "self_attn.k_proj.bias", 0.2, 0, kv);
                        put(m, r, p + "self_attn.v_proj.bias", 0.2, 0, kv);
                    }
                    if (c.oBias()) {
                        put(m, r, p + "self_attn.o_proj.bias", 0.2, 0, h);
                    }
                    if (c.qkNorm()) {
                        put(m, r, p + "self_attn.q_norm.weight", 0.1, 1, d);
                        put(m, r, p + "self_attn.k_norm.weight", 0.1, 1, d);
                    }
                    put(m, r, p + "mlp.gate_proj.weight", 0.15, 0, i, h);
                    put(m, r, p + "mlp.up_proj.weight", 0.15, 0, i, h);
                    put(m, r, p + "mlp.down_proj.weight", 0.15, 0, h, i);
                }
                put(m, r, "model.norm.weight", 0.1, 1, h);
                if (!c.tieWordEmbeddings()) {
                    put(m, r, "lm_head.weight", 0.3, 0, c.vocabSize(), h);
                }
            }
            case Gpt2Config c -> {
                int e = c.hiddenSize(), in = c.innerSize();
                put(m, r, "transformer.wte.weight", 0.5, 0, c.vocabSize(), e);
                put(m, r, "transformer.wpe.weight", 0.2, 0, c.contextLength(), e);
                for (int l = 0; l < c.numLayers(); l++) {
                    String p = "transformer.h." + l + ".";
                    put(m, r, p + "ln_1.weight", 0.1, 1, e);
                    put(m, r, p + "ln_1.bias", 0.1, 0, e);
                    put(m, r, p + "attn.c_attn.weight", 0.15, 0, e, 3 * e);
                    put(m, r, p + "attn.c_attn.bias", 0.1, 0, 3 * e);
                    put(m, r, p + "attn.c_proj.weight", 0.15, 0, e, e);
                    put(m, r, p + "attn.c_proj.bias", 0.1, 0, e);
                    put(m, r, p + "ln_2.weight", 0.1, 1, e);
                    put(m, r, p + "ln_2.bias", 0.1, 0, e);
                    put(m, r, p + "mlp.c_fc.weight", 0.15, 0, e, in);
                    put(m, r, p + "mlp.c_fc.bias", 0.1, 0, in);
                    put(m, r, p + "mlp.c_proj.weight", 0.15, 0, in, e);
                    put(m, r, p + "mlp.c_proj.bias", 0.1, 0, e);
                }
                put(m, r, "transformer.ln_f.weight", 0.1, 1, e);
                put(m, r, "transformer.ln_f.bias", 0.1, 0, e);
                if (!c.tieWordEmbeddings()) {
                    put(m, r, "lm_head.weight", 0.3, 0, c.vocabSize(), e);
                }
            }
        }
        return m;
    }

    private static void put(Map<String, Tensor> m, Random r, String name, double std, double mean, long... shape) {
        int n = Math.toIntExact(Tensor.elementCount(shape));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + std * r.nextGaussian());
        }
        m.put(name, Tensor.ofFloats(name, shape, v));
    }
}
