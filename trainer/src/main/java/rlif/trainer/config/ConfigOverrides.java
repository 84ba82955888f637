package rlif.trainer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import rlif.models.BadInputException;

/**
 * {@code rlif train --set key=value}: replaces one setting of the config file, by its dotted path
 * ({@code grpo.max_steps=10}, {@code data.source=../shared/data/gsm8k-test.jsonl}, or an older name such as
 * {@code steps=10}). The value is read as YAML, so {@code 1e-4}, {@code true} and {@code {verifiable: 1.0}} mean
 * what they mean in the file; an empty value removes the setting (its default applies).
 */
public final class ConfigOverrides {
    private ConfigOverrides() {}

    /** One {@code --set} argument. */
    public record Override(String key, String value) {
        /** Parses {@code key=value}. */
        public static Override parse(String arg) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException("--set expects key=value (e.g. grpo.max_steps=10), got '" + arg + "'");
            }
            String key = arg.substring(0, eq).trim();
            if (key.isEmpty() || key.startsWith(".") || key.endsWith(".") || key.contains("..")) {
                throw new BadInputException("--set " + arg + ": the key must be a dotted path such as grpo.max_steps");
            }
            return new Override(key, arg.substring(eq + 1));
        }

        JsonNode yamlValue() {
            try {
                JsonNode v = new YAMLMapper().readTree(value);
                return v == null || v.isMissingNode() ? NullNode.getInstance() : v;
            } catch (IOException e) {
                throw new BadInputException("--set " + key + ": cannot read '" + value + "' as a YAML value", e);
            }
        }
    }

    /** The objective after the overrides (an override may change it), or the file's. */
    static JsonNode objective(ObjectNode root, List<Override> overrides) {
        JsonNode objective = root.get("objective");
        for (Override o : overrides) {
            if (o.key().equals("objective")) {
                objective = o.yamlValue();
            }
        }
        return objective;
    }

    /**
     * Applies the overrides in order, each to the key's place in the schema (an old name is moved like the
     * file's), and records {@code path -> "--set key"} in {@code origins} for error messages.
     */
    static void apply(ObjectNode root, List<Override> overrides, String objective, Map<String, String> origins,
            String where) {
        for (Override o : overrides) {
            String path = ConfigAliases.target(o.key(), objective);
            JsonNode value = o.yamlValue();
            if (!value.isNull()) {
                value = ConfigAliases.translate(o.key(), value, where);
            }
            ConfigAliases.put(root, path, value, where);
            origins.put(path, "--set " + o.key());
        }
    }
}
