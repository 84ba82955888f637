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

    // Bounds on what an untrusted config.json can make us build; far above any released checkpoint.
    static final int MAX_LAYERS = 1024;
    static final int MAX_HEADS = 4096;
    static final int MAX_WIDTH = 1 << 20;
    static final int MAX_VOCAB = 1 << 23;
    static final int MAX_CONTEXT = 1 << 24;

    private static LlamaConfig llama(String type, ConfigFields f, String json) {
        int hidden = f.requiredInRange("hidden_size", 1, MAX_WIDTH);
        int heads = f.requiredInRange("num_attention_heads", 1, MAX_HEADS);
        int kvHeads = f.optionalInRange("num_key_value_heads", heads, 1, MAX_HEADS);
        if (heads % kvHeads != 0) {
            throw new BadInputException(f.where() + ": field 'num_key_value_heads' (" + kvHeads + ") must divide num_attention_heads (" + heads + ")");
        }
        if (!f.has("head_dim") && hidden % heads != 0) {
            throw new BadInputException(f.where() + ": field 'hidden_size' (" + hidden + ") is not a multiple of num_attention_heads (" + heads + ")");
        }
        int headDim = f.optionalInRange("head_dim", hidden / heads, 1, MAX_WIDTH);
        if (headDim % 2 != 0) {
            throw new BadInputException(f.where() + ": field 'head_dim' must be a positive even number, got " + headDim);
        }
        String act = f.optionalString("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new BadInputException(f.where() + ": field 'hidden_act' is '" + act + "'; the llama family here uses silu");
        }
        boolean attentionBias = f.optionalBool("attention_bias", false);
        boolean qwen2 = type.equals("qwen2");
        int layers = f.requiredInRange("num_hidden_layers", 1, MAX_LAYERS);
        int context = f.optionalInRange("max_position_embeddings", 2048, 1, MAX_CONTEXT);
        double eps = f.requiredDouble("rms_norm_eps");
        if (!(eps > 0)) {
            throw new BadInputException(f.where() + ": field 'rms_norm_eps' must be positive, got " + eps);
        }
        RopeSettings rope = rope(f);
        return new LlamaConfig(type,
                f.requiredInRange("vocab_size", 1, MAX_VOCAB),
                hidden,
                f.requiredInRange("intermediate_size", 1, MAX_WIDTH),
                layers,
                heads,
                kvHeads,
                headDim,
                eps,
                rope.theta(),
                rope.scaling(),
                slidingWindow(type, f, layers),
                f.optionalBool("tie_word_embeddings", false),
                qwen2 || attentionBias,
                !qwen2 && attentionBias,
                f.optionalBool("mlp_bias", false),
                type.equals("qwen3"),
                context,
                f.has("bos_token_id") ? f.requiredInt("bos_token_id") : null,
                f.intOrInts("eos_token_id"),
                padId(f),
                json);
    }

    /** Rotary base and scaling, read from either spelling a config may use. */
    private record RopeSettings(double theta, RopeScaling scaling) {}

    /**
     * transformers before 5 writes {@code rope_theta} and {@code rope_scaling}; transformers 5 writes one
     * {@code rope_parameters} object holding {@code rope_theta}, {@code rope_type} and the scaling fields. Both are
     * read; when a config carries both spellings they must agree, since picking one silently would build a
     * different model from the one transformers builds.
     */
    private static RopeSettings rope(ConfigFields f) {
        ConfigFields params = f.optionalObject("rope_parameters");
        ConfigFields legacy = f.optionalObject("rope_scaling");
        double legacyTheta = f.optionalDouble("rope_theta", 10000.0);
        if (params == null) {
            return new RopeSettings(positiveTheta(f, legacyTheta), legacy == null ? null : ropeScaling(legacy));
        }
        for (String k : params.fieldNames()) {
            if (params.node(k).isObject()) {
                throw new BadInputException(params.where() + ": rotary parameters per layer type ('" + k
                        + "') are not supported; the llama family here has one rotary embedding for every layer");
            }
        }
        double theta = params.has("rope_theta") ? params.requiredDouble("rope_theta") : legacyTheta;
        if (params.has("rope_theta") && f.has("rope_theta") && legacyTheta != theta) {
            throw new BadInputException(f.where() + ": field 'rope_theta' (" + legacyTheta + ") disagrees with 'rope_parameters'"
                    + " rope_theta (" + theta + ")");
        }
        RopeScaling scaling = ropeScaling(params);
        if (legacy != null && !java.util.Objects.equals(ropeScaling(legacy), scaling)) {
            throw new BadInputException(f.where() + ": fields 'rope_scaling' and 'rope_parameters' describe different rotary scalings");
        }
        return new RopeSettings(positiveTheta(params, theta), scaling);
    }

    private static double positiveTheta(ConfigFields f, double theta) {
        if (!(theta > 1)) {
            throw new BadInputException(f.where() + ": field 'rope_theta' must be greater than 1, got " + theta);
        }
        return theta;
    }

    private static final java.util.Set<String> ROPE_COMMON = java.util.Set.of("rope_type", "type", "rope_theta");
    private static final java.util.Map<String, java.util.Set<String>> ROPE_FIELDS = java.util.Map.of(
            "default", java.util.Set.of(),
            "linear", java.util.Set.of("factor"),
            "llama3", java.util.Set.of("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"));

    private static RopeScaling ropeScaling(ConfigFields r) {
        String type = r.has("rope_type") ? r.requiredString("rope_type") : r.optionalString("type", "default");
        java.util.Set<String> allowed = ROPE_FIELDS.get(type);
        if (allowed == null) {
            throw new BadInputException(r.where() + ": rope type '" + type + "' is not supported (default, linear, llama3)");
        }
        for (String k : r.fieldNames()) {
            boolean harmless = k.equals("partial_rotary_factor") && r.requiredDouble(k) == 1.0;
            if (!ROPE_COMMON.contains(k) && !allowed.contains(k) && !harmless && r.has(k)) {
                throw new BadInputException(r.where() + ": key '" + k + "' is not supported with rope type '" + type
                        + "' (rlif would build a different rotary embedding from transformers)");
            }
        }
        return switch (type) {
            case "default" -> null;
            case "linear" -> new RopeScaling("linear", positive(r, "factor"), 0, 0, 0);
            default -> {
                double low = positive(r, "low_freq_factor");
                double high = positive(r, "high_freq_factor");
                if (high <= low) {
                    throw new BadInputException(r.where() + ": 'high_freq_factor' must exceed 'low_freq_factor'");
                }
                yield new RopeScaling("llama3", positive(r, "factor"), low, high,
                        r.requiredInRange("original_max_position_embeddings", 1, MAX_CONTEXT));
            }
        };
    }

    /**
     * Which layers attend through a sliding window, as transformers decides: an explicit {@code layer_types} list
     * first; else Mistral windows every layer when {@code sliding_window} is set; Qwen2/Qwen3 only with
     * {@code use_sliding_window}, from layer {@code max_window_layers} on. Llama has no window (transformers
     * ignores the field there too).
     */
    private static SlidingWindow slidingWindow(String type, ConfigFields f, int layers) {
        java.util.List<Boolean> windowed = new java.util.ArrayList<>();
        if (type.startsWith("qwen") && !f.optionalBool("use_sliding_window", false)) {
            return null; // Qwen2Config/Qwen3Config drop sliding_window unless use_sliding_window is set
        }
        if (f.has("layer_types")) {
            com.fasterxml.jackson.databind.JsonNode types = f.node("layer_types");
            if (!types.isArray() || types.size() != layers) {
                throw new BadInputException(f.where() + ": field 'layer_types' must list one type per layer (" + layers + "), got " + types);
            }
            for (com.fasterxml.jackson.databind.JsonNode t : types) {
                switch (t.asText()) {
                    case "full_attention" -> windowed.add(false);
                    case "sliding_attention" -> windowed.add(true);
                    default -> throw new BadInputException(f.where() + ": field 'layer_types' has '" + t.asText()
                            + "'; supported: full_attention, sliding_attention");
                }
            }
        } else if (type.equals("mistral")) {
            for (int l = 0; l < layers; l++) {
                windowed.add(f.has("sliding_window"));
            }
        } else if (type.startsWith("qwen")) {
            int from = f.optionalInRange("max_window_layers", 28, 0, Integer.MAX_VALUE);
            for (int l = 0; l < layers; l++) {
                windowed.add(l >= from);
            }
        }
        if (!windowed.contains(true)) {
            return null;
        }
        if (!f.has("sliding_window")) {
            throw new BadInputException(f.where() + ": sliding-window layers need field 'sliding_window'");
        }
        return new SlidingWindow(f.requiredInRange("sliding_window", 1, Integer.MAX_VALUE), windowed);
    }

    private static double positive(ConfigFields f, String field) {
        double v = f.requiredDouble(field);
        if (!(v > 0)) {
            throw new BadInputException(f.where() + ": field '" + field + "' must be positive, got " + v);
        }
        return v;
    }

    private static Gpt2Config gpt2(ConfigFields f, String json) {
        int hidden = f.requiredInRange("n_embd", 1, MAX_WIDTH);
        int heads = f.requiredInRange("n_head", 1, MAX_HEADS);
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
                f.requiredInRange("vocab_size", 1, MAX_VOCAB),
                hidden,
                f.optionalInRange("n_inner", 4 * hidden, 1, MAX_WIDTH),
                f.requiredInRange("n_layer", 1, MAX_LAYERS),
                heads,
                positiveEps(f, f.optionalDouble("layer_norm_epsilon", 1e-5)),
                tanh,
                f.optionalBool("scale_attn_weights", true),
                f.optionalBool("tie_word_embeddings", true),
                f.requiredInRange("n_positions", 1, MAX_CONTEXT),
                f.has("bos_token_id") ? f.requiredInt("bos_token_id") : null,
                f.intOrInts("eos_token_id"),
                padId(f),
                json);
    }

    private static double positiveEps(ConfigFields f, double eps) {
        if (!(eps > 0)) {
            throw new BadInputException(f.where() + ": field 'layer_norm_epsilon' must be positive, got " + eps);
        }
        return eps;
    }

    private static Integer padId(ConfigFields f) {
        return f.has("pad_token_id") ? f.requiredInt("pad_token_id") : null;
    }
}
