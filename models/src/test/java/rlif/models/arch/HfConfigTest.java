package rlif.models.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import rlif.models.BadInputException;

/** config.json parsing: family defaults, Llama-3 rope scaling golden values, and errors that name the field. */
class HfConfigTest {
    private static final String LLAMA = """
        {"model_type":"llama","vocab_size":100,"hidden_size":32,"intermediate_size":64,"num_hidden_layers":2,
         "num_attention_heads":4,"rms_norm_eps":1e-5%s}""";

    private static DecoderConfig llama(String extra) {
        return HfConfig.parse(LLAMA.formatted(extra), "m/config.json");
    }

    @Test
    void familyDefaultsFollowTransformers() {
        LlamaConfig c = (LlamaConfig) llama("");
        assertThat(c.numKvHeads()).isEqualTo(4);
        assertThat(c.headDim()).isEqualTo(8);
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.qkvBias()).isFalse();
        LlamaConfig qwen2 = (LlamaConfig) TinyCheckpoints.Variant.QWEN2_BIASES.config();
        assertThat(qwen2.qkvBias()).isTrue();
        assertThat(qwen2.oBias()).isFalse();
        LlamaConfig qwen3 = (LlamaConfig) TinyCheckpoints.Variant.QWEN3_QK_NORM.config();
        assertThat(qwen3.qkNorm()).isTrue();
        assertThat(qwen3.headDim()).isEqualTo(16); // explicit head_dim, not hidden / heads
        assertThat(TinyCheckpoints.Variant.LLAMA_GQA.config().eosTokenIds()).containsExactly(2, 3);
        Gpt2Config gpt2 = (Gpt2Config) TinyCheckpoints.Variant.GPT2.config();
        assertThat(gpt2.innerSize()).isEqualTo(128); // n_inner null -> 4 * n_embd
        assertThat(gpt2.tanhGelu()).isTrue();
    }

    @Test
    void llama3RopeScalingMatchesGoldenFrequencies() {
        // golden values from transformers' _compute_llama3_parameters formula evaluated in Python for
        // theta 50, head_dim 8, factor 8, low 1, high 4, original context 32: one frequency of each regime
        LlamaConfig c = (LlamaConfig) TinyCheckpoints.Variant.LLAMA3_ROPE_SCALING.config();
        double[] golden = {1.0, 0.1473970888852182, 0.017677669529663688, 0.0066478698711812355};
        double[] inv = c.inverseFrequencies();
        for (int i = 0; i < golden.length; i++) {
            assertThat(inv[i]).isCloseTo(golden[i], within(1e-15));
        }
    }

    @Test
    void missingOrIllTypedFieldsAreNamed() {
        assertThatThrownBy(() -> HfConfig.parse("{\"model_type\":\"llama\"}", "m/config.json"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("m/config.json").hasMessageContaining("'hidden_size'");
        assertThatThrownBy(() -> llama(",\"num_key_value_heads\":\"two\""))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'num_key_value_heads' must be an integer");
        assertThatThrownBy(() -> llama(",\"num_key_value_heads\":3"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'num_key_value_heads' (3) must divide");
        assertThatThrownBy(() -> llama(",\"tie_word_embeddings\":1"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'tie_word_embeddings' must be true or false");
        assertThatThrownBy(() -> llama(",\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4.0}"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("rope_scaling").hasMessageContaining("yarn");
        assertThatThrownBy(() -> llama(",\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0}"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'low_freq_factor'");
        assertThatThrownBy(() -> llama(",\"layer_types\":[\"sliding_attention\",\"full_attention\"]"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'sliding_window'");
        assertThatThrownBy(() -> llama(",\"hidden_act\":\"gelu\""))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'hidden_act'");
        assertThatThrownBy(() -> HfConfig.parse("{\"model_type\":\"bert\"}", "m/config.json"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'model_type' is 'bert'");
        assertThatThrownBy(() -> HfConfig.parse("{\"model_type\":", "m/config.json"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> HfConfig.parse("{\"model_type\":\"gpt2\",\"vocab_size\":10,\"n_embd\":30,\"n_head\":4,\"n_layer\":1,\"n_positions\":8}", "g/config.json"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'n_embd' (30) is not a multiple of n_head (4)");
        assertThatThrownBy(() -> llama(",\"vocab_size\":-1".replace("\"vocab_size\":-1", "\"max_position_embeddings\":1.5")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'max_position_embeddings' must be an integer");
    }

    @Test
    void transformers5RopeParametersGiveTheSameModelAsTheLegacyFields() {
        LlamaConfig legacy = (LlamaConfig) llama(",\"rope_theta\":500000.0,\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0,"
                + "\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,\"original_max_position_embeddings\":32}");
        LlamaConfig v5 = (LlamaConfig) llama(",\"rope_parameters\":{\"rope_type\":\"llama3\",\"rope_theta\":500000.0,\"factor\":8.0,"
                + "\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,\"original_max_position_embeddings\":32}");
        assertThat(v5.ropeTheta()).isEqualTo(500000.0);
        assertThat(v5.ropeScaling()).isEqualTo(legacy.ropeScaling());
        assertThat(v5.inverseFrequencies()).containsExactly(legacy.inverseFrequencies());
        LlamaConfig qwen = (LlamaConfig) llama(",\"rope_parameters\":{\"rope_type\":\"default\",\"rope_theta\":1000000.0}");
        assertThat(qwen.ropeTheta()).isEqualTo(1e6);
        assertThat(qwen.ropeScaling()).isNull();
    }

    @Test
    void ropeTypesAndKeysNotImplementedAreRefusedByName() {
        assertThatThrownBy(() -> llama(",\"rope_parameters\":{\"rope_type\":\"yarn\",\"rope_theta\":1e6,\"factor\":4.0}"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("rope_parameters").hasMessageContaining("'yarn'");
        assertThatThrownBy(() -> llama(",\"rope_parameters\":{\"rope_type\":\"default\",\"rope_theta\":1e6,\"attention_factor\":2.0}"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'attention_factor'");
        assertThatThrownBy(() -> llama(",\"rope_parameters\":{\"rope_type\":\"default\",\"rope_theta\":1e6,\"partial_rotary_factor\":0.5}"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'partial_rotary_factor'");
        assertThatThrownBy(() -> llama(",\"rope_theta\":10000.0,\"rope_parameters\":{\"rope_type\":\"default\",\"rope_theta\":1e6}"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("disagrees");
        assertThatThrownBy(() -> llama(",\"rope_parameters\":{\"full_attention\":{\"rope_type\":\"default\",\"rope_theta\":1e6}}"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("per layer type");
        assertThatThrownBy(() -> llama(",\"rope_theta\":-5"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'rope_theta'");
    }

    @Test
    void slidingWindowLayersFollowTransformers() {
        LlamaConfig mistral = (LlamaConfig) TinyCheckpoints.Variant.MISTRAL.config();
        assertThat(mistral.slidingWindow().size()).isEqualTo(3);
        assertThat(mistral.slidingWindow().windowed()).containsExactly(true, true);
        LlamaConfig qwen2 = (LlamaConfig) TinyCheckpoints.Variant.QWEN2_SLIDING_UPPER_LAYER.config();
        assertThat(qwen2.slidingWindow().windowed()).containsExactly(false, true); // layers >= max_window_layers
        assertThat(((LlamaConfig) TinyCheckpoints.Variant.QWEN2_BIASES.config()).slidingWindow()).isNull();
        LlamaConfig explicit = (LlamaConfig) llama(",\"sliding_window\":4,\"layer_types\":[\"full_attention\",\"sliding_attention\"]");
        assertThat(explicit.slidingWindow().windowed()).containsExactly(false, true);
        assertThat(((LlamaConfig) llama(",\"sliding_window\":4")).slidingWindow()).as("transformers' Llama ignores it").isNull();
        assertThat(((LlamaConfig) HfConfig.parse(LLAMA.formatted(",\"sliding_window\":null").replace("\"llama\"", "\"mistral\""),
                "m/config.json")).slidingWindow()).isNull();
    }

    @Test
    void valuesOutsideWhatAGraphCanHoldAreRefusedWithFileAndKey() {
        for (String bad : new String[] {"\"num_attention_heads\":0", "\"num_attention_heads\":-1"}) {
            assertThatThrownBy(() -> HfConfig.parse(LLAMA.formatted("").replace("\"num_attention_heads\":4", bad), "m/config.json"))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("m/config.json").hasMessageContaining("'num_attention_heads'");
        }
        for (String layers : new String[] {"0", "-1", "1e9", "1000000000", "1.5"}) {
            assertThatThrownBy(() -> HfConfig.parse(LLAMA.formatted("").replace("\"num_hidden_layers\":2", "\"num_hidden_layers\":" + layers),
                    "m/config.json")).isInstanceOf(BadInputException.class).hasMessageContaining("'num_hidden_layers'");
        }
        assertThatThrownBy(() -> llama(",\"max_position_embeddings\":-1"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'max_position_embeddings' must be in [1, ");
        assertThatThrownBy(() -> HfConfig.parse("[{\"model_type\":\"llama\"}]", "m/config.json"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("m/config.json: not a JSON object");
        assertThatThrownBy(() -> HfConfig.parse(LLAMA.formatted("").replace("1e-5", "0"), "m/config.json"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'rms_norm_eps'");
    }
}
