package rlif.evaluator.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import rlif.models.BadInputException;

/**
 * The {@code key=value} settings of a built-in generator's {@code --data} spec, {@code NAME[:key=value,...]}
 * (e.g. {@code arith:level=2,split=train}): parsed once, every key checked against the generator's known keys,
 * values read with errors that name the generator and the key.
 */
final class SpecArgs {
    private final String name;
    private final Map<String, String> values;

    private SpecArgs(String name, Map<String, String> values) {
        this.name = name;
        this.values = values;
    }

    /** Whether {@code data} is {@code name} or {@code name:...}. */
    static boolean names(String data, String name) {
        return data.equals(name) || data.startsWith(name + ":");
    }

    /** Parses {@code spec}, which must be {@code name} or {@code name:key=value,...} with only {@code known} keys. */
    static SpecArgs parse(String spec, String name, List<String> known) {
        if (!names(spec, name)) {
            throw new BadInputException("--data " + name + ": expected '" + name + "' or '" + name
                    + ":key=value,...', got '" + spec + "'");
        }
        Map<String, String> kv = new LinkedHashMap<>();
        SpecArgs args = new SpecArgs(name, kv);
        String rest = spec.substring(name.length());
        if (rest.length() > 1) {
            for (String part : rest.substring(1).split(",")) {
                int eq = part.indexOf('=');
                if (eq <= 0) {
                    throw args.bad("expected key=value, got '" + part + "'");
                }
                String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                if (kv.put(key, part.substring(eq + 1).trim()) != null) {
                    throw args.bad("key '" + key + "' given twice");
                }
            }
        }
        for (String key : kv.keySet()) {
            if (!known.contains(key)) {
                throw args.bad("unknown key '" + key + "' (known: " + String.join(", ", known) + ")");
            }
        }
        return args;
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    String string(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    int integer(String key, int fallback) {
        long v = longInteger(key, fallback);
        if (v != (int) v) {
            throw bad(key + " is out of range: " + v);
        }
        return (int) v;
    }

    long longInteger(String key, long fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw bad(key + " must be an integer, got '" + v + "'");
        }
    }

    double number(String key, double fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw bad(key + " must be a number, got '" + v + "'");
        }
    }

    boolean bool(String key, boolean fallback) {
        String v = values.getOrDefault(key, String.valueOf(fallback));
        if (!v.equals("true") && !v.equals("false")) {
            throw bad(key + " must be true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    /** A bad-input error naming the generator, e.g. {@code --data arith: level must be 1..5, got 9}. */
    BadInputException bad(String what) {
        return bad(name, what);
    }

    static BadInputException bad(String name, String what) {
        return new BadInputException("--data " + name + ": " + what);
    }
}
