package rlif.trainer.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import rlif.models.BadInputException;

/**
 * A YAML mapping read strictly: every getter names the key it reads, type mismatches fail with the key's
 * dotted path, and {@link #finish()} rejects every key nobody asked for (a typo must never be a silently
 * ignored setting). Errors read {@code error: FILE: a.b.c: expected a number}.
 */
public final class ConfigNode {
    private static final java.util.regex.Pattern FLOAT_WITHOUT_DOT =
            java.util.regex.Pattern.compile("[-+]?[0-9]+[eE][-+]?[0-9]+");
    private final String file;
    private final String path;
    private final JsonNode node;
    private final Map<String, String> origins;
    private final Set<String> read = new LinkedHashSet<>();

    /**
     * @param origins where a value under a schema path was written, when not there ({@code "optimizer.lr"} for an
     *     older name, {@code "--set grpo.max_steps"} for an override): errors name what the user typed
     */
    ConfigNode(String file, String path, JsonNode node, Map<String, String> origins) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.origins = origins;
        if (!node.isObject()) {
            throw error(path, "expected a mapping of keys to values");
        }
    }

    public boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    private JsonNode value(String key) {
        read.add(key);
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    BadInputException error(String at, String message) {
        String shown = origins.getOrDefault(at, at);
        return new BadInputException(file + ": " + (shown.isEmpty() ? "" : shown + ": ") + message);
    }

    /** How errors name {@code key} of this section, e.g. {@code run.yaml: grpo.max_steps}. */
    public String where(String key) {
        String at = child(key);
        return file + ": " + origins.getOrDefault(at, at);
    }

    /** Whether the mapping holds {@code key} with a value (null counts as absent); marks it read. */
    public boolean given(String key) {
        return value(key) != null;
    }

    public double number(String key, double fallback) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        if (v.isTextual() && FLOAT_WITHOUT_DOT.matcher(v.textValue()).matches()) {
            // YAML 1.1 reads 1e-4 (no dot) as a string; it plainly means a number
            return Double.parseDouble(v.textValue());
        }
        if (!v.isNumber()) {
            throw error(child(key), "expected a number, got " + describe(v));
        }
        return v.doubleValue();
    }

    public int integer(String key, int fallback) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw error(child(key), "expected an integer, got " + describe(v));
        }
        return v.intValue();
    }

    public long longInteger(String key, long fallback) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw error(child(key), "expected an integer, got " + describe(v));
        }
        return v.longValue();
    }

    public boolean bool(String key, boolean fallback) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw error(child(key), "expected true or false, got " + describe(v));
        }
        return v.booleanValue();
    }

    public String string(String key, String fallback) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw error(child(key), "expected a string, got " + describe(v));
        }
        return v.textValue();
    }

    public String requiredString(String key) {
        String s = string(key, null);
        if (s == null) {
            throw error(child(key), "is required");
        }
        return s;
    }

    /** One of the given spellings. */
    public String choice(String key, String fallback, String... allowed) {
        String s = string(key, fallback);
        if (s != null && !List.of(allowed).contains(s)) {
            throw error(child(key), "expected one of " + String.join(", ", allowed) + ", got '" + s + "'");
        }
        return s;
    }

    public List<String> strings(String key, List<String> fallback) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isArray()) {
            throw error(child(key), "expected a list of strings, got " + describe(v));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw error(child(key) + "[" + i + "]", "expected a string, got " + describe(v.get(i)));
            }
            out.add(v.get(i).textValue());
        }
        return out;
    }

    /** A mapping of names to numbers, e.g. reward weights. */
    public Map<String, Double> numbers(String key) {
        JsonNode v = value(key);
        Map<String, Double> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        if (!v.isObject()) {
            throw error(child(key), "expected a mapping of names to numbers, got " + describe(v));
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            JsonNode n = e.getValue();
            if (n.isTextual() && FLOAT_WITHOUT_DOT.matcher(n.textValue()).matches()) {
                out.put(e.getKey(), Double.parseDouble(n.textValue()));
                continue;
            }
            if (!n.isNumber()) {
                throw error(child(key) + "." + e.getKey(), "expected a number, got " + describe(n));
            }
            out.put(e.getKey(), n.doubleValue());
        }
        return out;
    }

    /** A nested mapping, or an empty one when absent (so defaults apply). */
    public ConfigNode section(String key) {
        JsonNode v = value(key);
        if (v == null) {
            return new ConfigNode(file, child(key), com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(),
                    origins);
        }
        if (!v.isObject()) {
            throw error(child(key), "expected a mapping of keys to values, got " + describe(v));
        }
        return new ConfigNode(file, child(key), v, origins);
    }

    /** Fails on the first key that no getter read. Call after reading a section. */
    public void finish() {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!read.contains(k)) {
                throw error(child(k), "unknown key (known here: " + String.join(", ", read) + ")");
            }
        }
    }

    /** Raises a validation error about {@code key} of this section. */
    public BadInputException invalid(String key, String message) {
        return error(child(key), message);
    }

    private static String describe(JsonNode v) {
        if (v.isTextual()) {
            return "'" + v.textValue() + "'";
        }
        if (v.isObject()) {
            return "a mapping";
        }
        if (v.isArray()) {
            return "a list";
        }
        return v.toString();
    }
}
