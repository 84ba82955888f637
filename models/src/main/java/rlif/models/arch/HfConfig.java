package rlif.models.arch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import rlif.models.BadInputException;

/** Parses a Hugging Face {@code config.json} into a {@link DecoderConfig}, rejecting missing or ill-typed fields by name. */
public final class HfConfig {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> LLAMA_FAMILY = Set.of("llama", "mistral", "qwen2", "qwen3");

    private HfConfig() {}

    /** Reads and parses {@code file}. */
    public static DecoderConfig read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses config.json text; {@code where} names its origin in error messages. */
    public static DecoderConfig parse(String json, String where) {
        ConfigFields f;
        try {
            f = new ConfigFields(JSON.readTree(json), where);
        } catch (JsonProcessingException e) {
            throw new BadInputException(where + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        String type = f.requiredString("model_type");
        if (LLAMA_FAMILY.contains(type)) {
            return llama(type, f, json);
        }
        if (type.equals("gpt2")) {
            return gpt2(f, json);
        }
        throw new BadInputException(where + ": field 'model_type' is '" + type + "'; supported: llama, mistral, qwen2, qwen3, gpt2");
    }

    private static LlamaConfig llama(String type, ConfigFields f, String json) {
        int hidden = f.requiredPositive("hidden_size");
        int heads = f.requiredPositive("num_attention_heads");
        int kvHeads = f.optionalInt("num_key_value_heads", heads);
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new BadInputException(f.where() + ": field 'num_key_value_heads' (" + kvHeads + ") must divide num_attention_heads (" + heads + ")");
        }
        if (!f.has("head_dim") && hidden % heads != 0) {
            throw new BadInputException(f.where() + ": field 'hidden_size' (" + hidden + ") is not a multiple of num_attention_heads (" + heads + ")");
        }
        int headDim = f.optionalInt("head_dim", hidden / Math.max(heads, 1));
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new BadInputException(f.where() + ": field 'head_dim' must be a positive even number, got " + headDim);
        }
        String act = f.optionalString("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new BadInputException(f.where() + ": field 'hidden_act' is '" + act + "'; the llama family here uses silu");
        }
        boolean attentionBias = f.optionalBool("attention_bias", false);
        boolean qwen2 = type.equals("qwen2");
        if (f.optionalBool("use_sliding_window", false)) {
            throw new BadInputException(f.where() + ": field 'use_sliding_window' is true; sliding-window attention is not supported");
        }
        return new LlamaConfig(type,
                f.requiredPositive("vocab_size"),
                hidden,
                f.requiredPositive("intermediate_size"),
                f.requiredPositive("num_hidden_layers"),
                heads,
                kvHeads,
                headDim,
                f.requiredDouble("rms_norm_eps"),
                f.optionalDouble("rope_theta", 10000.0),
                ropeScaling(f),
                f.optionalBool("tie_word_embeddings", false),
                qwen2 || attentionBias,
                !qwen2 && attentionBias,
                f.optionalBool("mlp_bias", false),
                type.equals("qwen3"),
                f.optionalInt("max_position_embeddings", 2048),
                f.has("bos_token_id") ? f.requiredInt("bos_token_id") : null,
                f.intOrInts("eos_token_id"),
                padId(f),
                json);
    }

    private static RopeScaling ropeScaling(ConfigFields f) {
        ConfigFields r = f.optionalObject("rope_scaling");
        if (r == null) {
            return null;
        }
        String type = r.has("rope_type") ? r.requiredString("rope_type") : r.optionalString("type", "default");
        return switch (type) {
            case "default" -> null;
            case "linear" -> new RopeScaling("linear", positive(r, "factor"), 0, 0, 0);
            case "llama3" -> {
                double low = positive(r, "low_freq_factor");
                double high = positive(r, "high_freq_factor");
                if (high <= low) {
                    throw new BadInputException(r.where() + ": 'high_freq_factor' must exceed 'low_freq_factor'");
                }
                yield new RopeScaling("llama3", positive(r, "factor"), low, high, r.requiredPositive("original_max_position_embeddings"));
            }
            default -> throw new BadInputException(r.where() + ": rope type '" + type + "' is not supported (default, linear, llama3)");
        };
    }

    private static double positive(ConfigFields f, String field) {
        double v = f.requiredDouble(field);
        if (!(v > 0)) {
            throw new BadInputException(f.where() + ": field '" + field + "' must be positive, got " + v);
        }
        return v;
    }

    private static Gpt2Config gpt2(ConfigFields f, String json) {
        int hidden = f.requiredPositive("n_embd");
        int heads = f.requiredPositive("n_head");
        if (hidden % heads != 0) {
            throw new BadInputException(f.where() + ": field 'n_embd' (" + hidden + ") is not a multiple of n_head (" + heads + ")");
        }
        if (f.optionalBool("scale_attn_by_inverse_layer_idx", false)) {
            throw new BadInputException(f.where() + ": field 'scale_attn_by_inverse_layer_idx' is true; not supported");
        }
        String act = f.optionalString("activation_function", "gelu_new");
        boolean tanh = switch (act) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> true;
            case "gelu" -> false;
            default -> throw new BadInputException(f.where() + ": field 'activation_function' is '" + act + "'; supported: gelu_new, gelu_pytorch_tanh, gelu");
        };
        return new Gpt2Config(
                f.requiredPositive("vocab_size"),
                hidden,
                f.optionalInt("n_inner", 4 * hidden),
                f.requiredPositive("n_layer"),
                heads,
                f.optionalDouble("layer_norm_epsilon", 1e-5),
                tanh,
                f.optionalBool("scale_attn_weights", true),
                f.optionalBool("tie_word_embeddings", true),
                f.requiredPositive("n_positions"),
                f.has("bos_token_id") ? f.requiredInt("bos_token_id") : null,
                f.intOrInts("eos_token_id"),
                padId(f),
                json);
    }

    private static Integer padId(ConfigFields f) {
        return f.has("pad_token_id") ? f.requiredInt("pad_token_id") : null;
    }
}
