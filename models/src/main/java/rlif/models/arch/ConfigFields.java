package rlif.models.arch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import rlif.models.BadInputException;

/** Typed, checked reads of fields of a Hugging Face {@code config.json}; every error names the file and field. */
final class ConfigFields {
    private final JsonNode root;
    private final String where;

    ConfigFields(JsonNode root, String where) {
        if (root == null || !root.isObject()) {
            throw new BadInputException(where + ": not a JSON object");
        }
        this.root = root;
        this.where = where;
    }

    boolean has(String field) {
        JsonNode n = root.get(field);
        return n != null && !n.isNull();
    }

    JsonNode node(String field) {
        return root.get(field);
    }

    String where() {
        return where;
    }

    int requiredInt(String field) {
        if (!has(field)) {
            throw new BadInputException(where + ": missing field '" + field + "'");
        }
        return intValue(field, root.get(field));
    }

    int optionalInt(String field, int fallback) {
        return has(field) ? intValue(field, root.get(field)) : fallback;
    }

    /** A positive integer field. */
    int requiredPositive(String field) {
        return requiredInRange(field, 1, Integer.MAX_VALUE);
    }

    /** An integer field in {@code [min, max]}: a bound on what an untrusted config can make us build. */
    int requiredInRange(String field, int min, int max) {
        return inRange(field, requiredInt(field), min, max);
    }

    /** An optional integer field in {@code [min, max]}. */
    int optionalInRange(String field, int fallback, int min, int max) {
        return has(field) ? inRange(field, requiredInt(field), min, max) : fallback;
    }

    private int inRange(String field, int v, int min, int max) {
        if (v < min || v > max) {
            throw new BadInputException(where + ": field '" + field + "' must be "
                    + (max == Integer.MAX_VALUE ? (min == 1 ? "positive" : "at least " + min) : "in [" + min + ", " + max + "]")
                    + ", got " + v);
        }
        return v;
    }

    /** The field names present (for refusing options this project does not implement). */
    java.util.Set<String> fieldNames() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        root.fieldNames().forEachRemaining(out::add);
        return out;
    }

    double requiredDouble(String field) {
        if (!has(field)) {
            throw new BadInputException(where + ": missing field '" + field + "'");
        }
        return doubleValue(field, root.get(field));
    }

    double optionalDouble(String field, double fallback) {
        return has(field) ? doubleValue(field, root.get(field)) : fallback;
    }

    boolean optionalBool(String field, boolean fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode n = root.get(field);
        if (!n.isBoolean()) {
            throw new BadInputException(where + ": field '" + field + "' must be true or false, got " + n);
        }
        return n.booleanValue();
    }

    String requiredString(String field) {
        if (!has(field)) {
            throw new BadInputException(where + ": missing field '" + field + "'");
        }
        return stringValue(field, root.get(field));
    }

    String optionalString(String field, String fallback) {
        return has(field) ? stringValue(field, root.get(field)) : fallback;
    }

    /** An int or a list of ints (e.g. {@code eos_token_id}); empty when absent. */
    List<Integer> intOrInts(String field) {
        List<Integer> out = new ArrayList<>();
        if (!has(field)) {
            return out;
        }
        JsonNode n = root.get(field);
        if (n.isArray()) {
            for (JsonNode e : n) {
                out.add(intValue(field, e));
            }
        } else {
            out.add(intValue(field, n));
        }
        return out;
    }

    /** An optional nested object; null when absent. */
    ConfigFields optionalObject(String field) {
        if (!has(field)) {
            return null;
        }
        JsonNode n = root.get(field);
        if (!n.isObject()) {
            throw new BadInputException(where + ": field '" + field + "' must be an object, got " + n);
        }
        return new ConfigFields(n, where + " field '" + field + "'");
    }

    private int intValue(String field, JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new BadInputException(where + ": field '" + field + "' must be an integer, got " + n);
        }
        return n.intValue();
    }

    private double doubleValue(String field, JsonNode n) {
        if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
            throw new BadInputException(where + ": field '" + field + "' must be a finite number, got " + n);
        }
        return n.doubleValue();
    }

    private String stringValue(String field, JsonNode n) {
        if (!n.isTextual()) {
            throw new BadInputException(where + ": field '" + field + "' must be a string, got " + n);
        }
        return n.textValue();
    }
}
