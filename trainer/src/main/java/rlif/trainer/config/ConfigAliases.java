package rlif.trainer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.models.BadInputException;

/**
 * rlif's first config names, kept as aliases of the schema's names (TRL's {@code GRPOConfig} / {@code SFTConfig}
 * names inside the objective's section): {@link #normalise} moves every old key to its new place, so the rest
 * of the reader sees one spelling, and records where each moved value was written so errors name the key the
 * user typed. Giving the same setting under both names is an error, not a silent choice.
 */
final class ConfigAliases {
    /** The objective's section in a target path. */
    private static final String OBJ = "{objective}";

    /** Old path to new path. */
    private static final Map<String, String> RENAMED = new LinkedHashMap<>();
    /** Old values that change spelling with their key. */
    private static final Map<String, Map<String, String>> VALUES = new LinkedHashMap<>();

    static {
        RENAMED.put("steps", OBJ + ".max_steps");
        RENAMED.put("optimizer.lr", OBJ + ".learning_rate");
        RENAMED.put("optimizer.beta1", OBJ + ".adam_beta1");
        RENAMED.put("optimizer.beta2", OBJ + ".adam_beta2");
        RENAMED.put("optimizer.eps", OBJ + ".adam_epsilon");
        RENAMED.put("optimizer.weight_decay", OBJ + ".weight_decay");
        RENAMED.put("optimizer.max_grad_norm", OBJ + ".max_grad_norm");
        RENAMED.put("optimizer.warmup_steps", OBJ + ".warmup_steps");
        RENAMED.put("optimizer.schedule", OBJ + ".lr_scheduler_type");
        RENAMED.put("optimizer.min_lr_ratio", OBJ + ".lr_scheduler_kwargs.min_lr_rate");
        RENAMED.put("eval.every", OBJ + ".eval_steps");
        RENAMED.put("checkpoint.every", OBJ + ".save_steps");
        RENAMED.put("grpo.group_size", "grpo.num_generations");
        RENAMED.put("grpo.clip_epsilon", "grpo.epsilon");
        RENAMED.put("grpo.kl_coef", "grpo.beta");
        RENAMED.put("grpo.averaging", "grpo.loss_type");
        RENAMED.put("grpo.max_new_tokens", "grpo.max_completion_length");
        // rlif's cosine decayed to min_lr_ratio (default 0.1) and its constant schedule took a warm-up
        VALUES.put("optimizer.schedule", Map.of("cosine", "cosine_with_min_lr", "constant", "constant_with_warmup"));
        // token-level averaging over the step is DAPO's normalisation; per completion, then over completions, GRPO's
        VALUES.put("grpo.averaging", Map.of("token", "dapo", "sequence", "grpo"));
    }

    /** Sections that only ever held old names and disappear once their keys have moved. */
    private static final List<String> OLD_SECTIONS = List.of("optimizer", "checkpoint");

    private ConfigAliases() {}

    /**
     * Moves every old key of {@code root} to its new path (for {@code objective}'s section), translating old
     * values, and records {@code new path -> old path} in {@code origins}.
     *
     * @param where how errors name the file ({@code FILE: })
     */
    static void normalise(ObjectNode root, String objective, Map<String, String> origins, String where) {
        for (Map.Entry<String, String> e : RENAMED.entrySet()) {
            String oldPath = e.getKey();
            JsonNode value = remove(root, oldPath);
            if (value == null) {
                continue;
            }
            String newPath = target(oldPath, objective);
            if (get(root, newPath) != null) {
                throw new BadInputException(where + newPath + ": given twice, also as " + oldPath
                        + " (its older name); keep one");
            }
            put(root, newPath, translate(oldPath, value, where), where);
            origins.put(newPath, oldPath);
        }
        for (String section : OLD_SECTIONS) {
            JsonNode s = root.get(section);
            if (s == null) {
                continue;
            }
            if (s.isObject() && !s.isEmpty()) {
                String key = s.fieldNames().next();
                throw new BadInputException(where + section + "." + key + ": unknown key (known here: "
                        + String.join(", ", oldKeysOf(section)) + ")");
            }
            root.remove(section);
        }
    }

    /** Where an old or new path lives in the schema ({@code path} itself when it is not an old name). */
    static String target(String path, String objective) {
        String renamed = RENAMED.get(path);
        return renamed == null ? path : renamed.replace(OBJ, objective);
    }

    /** The value as the new key spells it; an old value outside the old choices is an error naming the old key. */
    static JsonNode translate(String oldPath, JsonNode value, String where) {
        Map<String, String> values = VALUES.get(oldPath);
        if (values == null) {
            return value;
        }
        String to = value.isTextual() ? values.get(value.textValue()) : null;
        if (to == null) {
            throw new BadInputException(where + oldPath + ": expected one of " + String.join(", ", values.keySet().stream()
                    .sorted().toList()) + ", got " + (value.isTextual() ? "'" + value.textValue() + "'" : value.toString()));
        }
        return TextNode.valueOf(to);
    }

    private static List<String> oldKeysOf(String section) {
        return RENAMED.keySet().stream().filter(k -> k.startsWith(section + "."))
                .map(k -> k.substring(section.length() + 1)).toList();
    }

    static JsonNode get(ObjectNode root, String path) {
        JsonNode n = root;
        for (String part : path.split("\\.")) {
            if (n == null || !n.isObject()) {
                return null;
            }
            n = n.get(part);
        }
        return n == null || n.isNull() ? null : n;
    }

    private static JsonNode remove(ObjectNode root, String path) {
        int dot = path.lastIndexOf('.');
        JsonNode parent = dot < 0 ? root : get(root, path.substring(0, dot));
        if (!(parent instanceof ObjectNode p)) {
            return null;
        }
        JsonNode v = p.remove(path.substring(dot + 1));
        return v == null || v.isNull() ? null : v;
    }

    /** Sets {@code path} to {@code value}, creating mappings on the way; a scalar in the way is an error. */
    static void put(ObjectNode root, String path, JsonNode value, String where) {
        String[] parts = path.split("\\.");
        ObjectNode n = root;
        StringBuilder at = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            at.append(i == 0 ? "" : ".").append(parts[i]);
            JsonNode child = n.get(parts[i]);
            if (child == null || child.isNull()) {
                child = JsonNodeFactory.instance.objectNode();
                n.set(parts[i], child);
            } else if (!child.isObject()) {
                throw new BadInputException(where + at + ": expected a mapping of keys to values, got " + child);
            }
            n = (ObjectNode) child;
        }
        n.set(parts[parts.length - 1], value);
    }
}
