package rlif.evaluator.data;

import java.util.List;
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
        return SpecArgs.names(data, "arith");
    }

    /** Parses {@code arith} or {@code arith:key=value,...}. */
    public static ArithSpec parse(String spec) {
        SpecArgs a = SpecArgs.parse(spec, "arith", List.of("level", "split", "n", "seed", "steps", "max", "ops", "parens"));
        int level = a.integer("level", 2);
        if (level < 1 || level > LEVELS.length) {
            throw bad("level must be 1.." + LEVELS.length + ", got " + level);
        }
        Object[] d = LEVELS[level - 1];
        return new ArithSpec(
                level,
                a.string("split", "test"),
                a.integer("n", 500),
                a.longInteger("seed", 0),
                a.integer("steps", (Integer) d[0]),
                a.integer("max", (Integer) d[1]),
                a.string("ops", (String) d[2]),
                a.bool("parens", (Boolean) d[3]));
    }

    /** The canonical spelling, with every key, so equal specs describe themselves equally. */
    public String canonical() {
        return "arith:level=" + level + ",split=" + split + ",n=" + count + ",seed=" + seed + ",steps=" + steps
                + ",max=" + maxOperand + ",ops=" + ops + ",parens=" + parens;
    }

    private static BadInputException bad(String what) {
        return SpecArgs.bad("arith", what);
    }
}
