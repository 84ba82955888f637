package rlif.evaluator.data;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import rlif.models.BadInputException;

/**
 * Settings of the built-in {@code arith} source, parsed from {@code arith[:key=value,...]}.
 *
 * <p>Keys: {@code level} (1-5, default 2) picks defaults for {@code steps} (operators per problem),
 * {@code max} (largest operand), {@code ops} (operator mix, a subset of {@code +-*}) and {@code parens}
 * (whether a sub-expression may be parenthesised); each can be overridden. {@code split} is
 * {@code train} or {@code test} (default {@code test}), {@code n} the number of problems (default 500),
 * {@code seed} the generator seed (default 0).
 */
public record ArithSpec(int level, String split, int count, long seed, int steps, int maxOperand, String ops, boolean parens) {
    /** Defaults per level: steps, largest operand, operators, parentheses. */
    private static final Object[][] LEVELS = {
        {1, 9, "+-", false},
        {2, 20, "+-", false},
        {2, 50, "+-*", false},
        {3, 99, "+-*", true},
        {4, 99, "+-*", true},
    };

    public ArithSpec {
        if (level < 1 || level > LEVELS.length) {
            throw bad("level must be 1.." + LEVELS.length + ", got " + level);
        }
        if (!split.equals("train") && !split.equals("test")) {
            throw bad("split must be train or test, got " + split);
        }
        if (count < 1) {
            throw bad("n must be >= 1, got " + count);
        }
        if (steps < 1 || steps > 12) {
            throw bad("steps must be 1..12, got " + steps);
        }
        if (maxOperand < 1 || maxOperand > 9999) {
            throw bad("max must be 1..9999, got " + maxOperand);
        }
        if (ops.isEmpty() || !ops.chars().allMatch(c -> c == '+' || c == '-' || c == '*')) {
            throw bad("ops must be a non-empty subset of +-*, got '" + ops + "'");
        }
    }

    /** Whether {@code data} names the built-in source rather than a file. */
    public static boolean isArith(String data) {
        return data.equals("arith") || data.startsWith("arith:");
    }

    /** Parses {@code arith} or {@code arith:key=value,...}. */
    public static ArithSpec parse(String spec) {
        if (!isArith(spec)) {
            throw bad("expected 'arith' or 'arith:key=value,...', got '" + spec + "'");
        }
        Map<String, String> kv = new LinkedHashMap<>();
        if (spec.startsWith("arith:") && spec.length() > "arith:".length()) {
            for (String part : spec.substring("arith:".length()).split(",")) {
                int eq = part.indexOf('=');
                if (eq <= 0) {
                    throw bad("expected key=value, got '" + part + "'");
                }
                String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                if (kv.put(key, part.substring(eq + 1).trim()) != null) {
                    throw bad("key '" + key + "' given twice");
                }
            }
        }
        for (String key : kv.keySet()) {
            if (!java.util.List.of("level", "split", "n", "seed", "steps", "max", "ops", "parens").contains(key)) {
                throw bad("unknown key '" + key + "' (known: level, split, n, seed, steps, max, ops, parens)");
            }
        }
        int level = intValue(kv, "level", 2);
        if (level < 1 || level > LEVELS.length) {
            throw bad("level must be 1.." + LEVELS.length + ", got " + level);
        }
        Object[] d = LEVELS[level - 1];
        String parens = kv.getOrDefault("parens", String.valueOf(d[3]));
        if (!parens.equals("true") && !parens.equals("false")) {
            throw bad("parens must be true or false, got '" + parens + "'");
        }
        return new ArithSpec(
                level,
                kv.getOrDefault("split", "test"),
                intValue(kv, "n", 500),
                longValue(kv, "seed", 0),
                intValue(kv, "steps", (Integer) d[0]),
                intValue(kv, "max", (Integer) d[1]),
                kv.getOrDefault("ops", (String) d[2]),
                Boolean.parseBoolean(parens));
    }

    /** The canonical spelling, with every key, so equal specs describe themselves equally. */
    public String canonical() {
        return "arith:level=" + level + ",split=" + split + ",n=" + count + ",seed=" + seed + ",steps=" + steps
                + ",max=" + maxOperand + ",ops=" + ops + ",parens=" + parens;
    }

    private static int intValue(Map<String, String> kv, String key, int fallback) {
        long v = longValue(kv, key, fallback);
        if (v != (int) v) {
            throw bad(key + " is out of range: " + v);
        }
        return (int) v;
    }

    private static long longValue(Map<String, String> kv, String key, long fallback) {
        String v = kv.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw bad(key + " must be an integer, got '" + v + "'");
        }
    }

    private static BadInputException bad(String what) {
        return new BadInputException("--data arith: " + what);
    }
}
