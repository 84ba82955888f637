package rlif.trainer.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import rlif.models.BadInputException;

/**
 * A PEFT {@code adapter_config.json} (LoRA), read with every option that changes the merged model either
 * implemented or refused by name: {@code r}, {@code lora_alpha}, {@code use_rslora} ({@code alpha / sqrt(r)}),
 * {@code rank_pattern} and {@code alpha_pattern} (per-module rank and alpha, matched as PEFT's
 * {@code get_pattern_key} does), {@code use_dora}. Options that only steer training or initialisation are
 * accepted; a key this reader does not know is an error, never a default.
 */
public record AdapterConfig(int rank, double alpha, boolean rslora, boolean dora, Map<String, Integer> rankPattern,
        Map<String, Double> alphaPattern) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BYTES = 1 << 20;

    /** Keys whose values cannot change the merged weights (training, initialisation, bookkeeping). */
    private static final Set<String> INERT = Set.of("peft_type", "task_type", "base_model_name_or_path", "revision",
            "inference_mode", "auto_mapping", "peft_version", "target_modules", "exclude_modules", "lora_dropout",
            "fan_in_fan_out", "layers_to_transform", "layers_pattern", "megatron_core",
            "eva_config", "corda_config", "runtime_config", "qalora_group_size", "ensure_weight_tying");
    /** Keys that are harmless at their "off" value and change the model otherwise; with what off means. */
    private static final Map<String, String> OFF_ONLY = offOnly();

    private static Map<String, String> offOnly() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bias", "\"none\" (trained biases are not merged)");
        m.put("modules_to_save", "null or [] (fully trained extra modules are not merged)");
        m.put("lora_bias", "false");
        m.put("use_qalora", "false");
        m.put("loftq_config", "{} (LoftQ also changes the base weights)");
        m.put("megatron_config", "null");
        m.put("layer_replication", "null");
        m.put("alora_invocation_tokens", "null (aLoRA activates only after its tokens)");
        m.put("target_parameters", "null or []");
        m.put("trainable_token_indices", "null");
        m.put("arrow_config", "null");
        m.put("kasa_config", "null");
        m.put("lora_ga_config", "null (LoRA-GA also changes the base weights)");
        m.put("monteclora_config", "null");
        m.put("use_bdlora", "null or false");
        m.put("velora_config", "null");
        m.put("init_lora_weights", "true, false, gaussian, orthogonal or eva (pissa, olora, corda and loftq also change the"
                + " base weights)");
        return m;
    }

    public AdapterConfig {
        // file order matters: the first matching pattern wins
        rankPattern = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rankPattern));
        alphaPattern = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(alphaPattern));
    }

    /** Reads and checks {@code file}. */
    public static AdapterConfig read(Path file) {
        JsonNode c;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new BadInputException(file + ": too large for an adapter config");
            }
            c = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new BadInputException(file + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (c == null || !c.isObject()) {
            throw new BadInputException(file + ": not a JSON object");
        }
        String type = c.path("peft_type").asText("LORA");
        if (!type.equals("LORA")) {
            throw new BadInputException(file + ": field 'peft_type' is '" + type + "'; only LORA adapters can be merged");
        }
        for (var it = c.fieldNames(); it.hasNext();) {
            String k = it.next();
            JsonNode v = c.get(k);
            if (INERT.contains(k) || Set.of("r", "lora_alpha", "use_rslora", "use_dora", "rank_pattern", "alpha_pattern").contains(k)) {
                continue;
            }
            if (!OFF_ONLY.containsKey(k)) {
                throw new BadInputException(file + ": field '" + k + "' is not an adapter option rlif knows; refusing rather than"
                        + " ignoring it");
            }
            if (!isOff(k, v)) {
                throw new BadInputException(file + ": field '" + k + "' is " + v + "; rlif merges only " + OFF_ONLY.get(k));
            }
        }
        if (!c.path("r").isInt() || c.path("r").intValue() < 1) {
            throw new BadInputException(file + ": field 'r' must be a positive integer");
        }
        if (!c.path("lora_alpha").isNumber()) {
            throw new BadInputException(file + ": field 'lora_alpha' must be a number");
        }
        Map<String, Integer> ranks = new LinkedHashMap<>();
        pattern(c, "rank_pattern", file).forEach((k, v) -> {
            if (!v.isInt() || v.intValue() < 1) {
                throw new BadInputException(file + ": field 'rank_pattern' entry '" + k + "' must be a positive integer");
            }
            ranks.put(k, v.intValue());
        });
        Map<String, Double> alphas = new LinkedHashMap<>();
        pattern(c, "alpha_pattern", file).forEach((k, v) -> {
            if (!v.isNumber()) {
                throw new BadInputException(file + ": field 'alpha_pattern' entry '" + k + "' must be a number");
            }
            alphas.put(k, v.doubleValue());
        });
        return new AdapterConfig(c.get("r").intValue(), c.get("lora_alpha").doubleValue(), flag(c, "use_rslora", file),
                flag(c, "use_dora", file), ranks, alphas);
    }

    private static boolean isOff(String key, JsonNode v) {
        if (v == null || v.isNull()) {
            return true;
        }
        return switch (key) {
            case "bias" -> v.asText().equals("none");
            case "lora_bias", "use_qalora", "use_bdlora" -> v.isBoolean() && !v.booleanValue();
            case "init_lora_weights" -> v.isBoolean() || Set.of("gaussian", "orthogonal", "eva").contains(v.asText());
            case "modules_to_save", "target_parameters", "loftq_config" -> v.isEmpty();
            default -> false;
        };
    }

    private static boolean flag(JsonNode c, String key, Path file) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new BadInputException(file + ": field '" + key + "' must be true or false");
        }
        return v.booleanValue();
    }

    private static Map<String, JsonNode> pattern(JsonNode c, String key, Path file) {
        JsonNode v = c.get(key);
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            throw new BadInputException(file + ": field '" + key + "' must be an object of module pattern -> value");
        }
        v.properties().forEach(e -> {
            try {
                Pattern.compile(e.getKey());
            } catch (PatternSyntaxException ex) {
                throw new BadInputException(file + ": field '" + key + "' key '" + e.getKey() + "' is not a valid pattern");
            }
            out.put(e.getKey(), e.getValue());
        });
        return out;
    }

    /** The rank PEFT gives {@code module} (a full module path such as {@code model.layers.0.self_attn.v_proj}). */
    public int rankOf(String module) {
        String key = patternKey(rankPattern.keySet(), module);
        return key == null ? rank : rankPattern.get(key);
    }

    /** The merge scale of {@code module}: {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA. */
    public double scaleOf(String module) {
        String key = patternKey(alphaPattern.keySet(), module);
        double a = key == null ? alpha : alphaPattern.get(key);
        int r = rankOf(module);
        return rslora ? a / Math.sqrt(r) : a / r;
    }

    /** PEFT's get_pattern_key: the first pattern {@code p} (in file order) with {@code (.*\.)?(p)$} matching the whole name. */
    private static String patternKey(Set<String> patterns, String module) {
        for (String p : patterns) {
            if (Pattern.compile("(.*\\.)?(" + p + ")$").matcher(module).matches()) {
                return p;
            }
        }
        return null;
    }
}
