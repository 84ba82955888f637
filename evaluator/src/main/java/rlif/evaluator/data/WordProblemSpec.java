package rlif.evaluator.data;

import java.util.List;
import java.util.Locale;

/**
 * Settings of the built-in {@code word-problems} source, parsed from {@code word-problems[:key=value,...]}.
 *
 * <p>Keys: {@code style} {@code base} (worked solutions in which each step slips with probability {@code slips}:
 * a wrong result, then a transitional phrase such as "Wait, let me check:" and the corrected step) or
 * {@code instruct} (the same solutions, never slipping); {@code slips} the per-step slip probability of the base
 * style (default {@value #DEFAULT_SLIPS}; ignored by instruct); {@code steps} events per story (1-4, default 2);
 * {@code split} {@code train} or {@code test} (default test); {@code n} problems (default 500); {@code seed}
 * (default 0). The prompts (and so the splits) do not depend on {@code style} or {@code slips}: both styles of one
 * seed and split tell the same stories.
 */
public record WordProblemSpec(Style style, double slips, int steps, String split, int count, long seed) {
    /** The spec's name in {@code --data}. */
    public static final String NAME = "word-problems";
    /** Per-step slip probability of the base corpus. */
    public static final double DEFAULT_SLIPS = 0.2;

    /** Which solutions the source writes. */
    public enum Style {
        /** Sometimes slips, then checks and corrects itself. */
        BASE,
        /** Clean and direct: never slips. */
        INSTRUCT;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public WordProblemSpec {
        if (!(slips >= 0 && slips <= 0.9)) {
            throw SpecArgs.bad(NAME, "slips must be in 0..0.9, got " + slips);
        }
        if (steps < 1 || steps > 4) {
            throw SpecArgs.bad(NAME, "steps must be 1..4, got " + steps);
        }
        if (!split.equals("train") && !split.equals("test")) {
            throw SpecArgs.bad(NAME, "split must be train or test, got " + split);
        }
        if (count < 1) {
            throw SpecArgs.bad(NAME, "n must be >= 1, got " + count);
        }
    }

    /** Whether {@code data} names this source rather than a file. */
    public static boolean isWordProblems(String data) {
        return SpecArgs.names(data, NAME);
    }

    /** Parses {@code word-problems} or {@code word-problems:key=value,...}. */
    public static WordProblemSpec parse(String spec) {
        SpecArgs a = SpecArgs.parse(spec, NAME, List.of("style", "slips", "steps", "split", "n", "seed"));
        String style = a.string("style", "base");
        if (!style.equals("base") && !style.equals("instruct")) {
            throw a.bad("style must be base or instruct, got '" + style + "'");
        }
        Style s = Style.valueOf(style.toUpperCase(Locale.ROOT));
        if (s == Style.INSTRUCT && a.has("slips")) {
            throw a.bad("slips applies to style=base only (instruct solutions never slip)");
        }
        double slips = s == Style.BASE ? a.number("slips", DEFAULT_SLIPS) : 0;
        return new WordProblemSpec(s, slips, a.integer("steps", 2), a.string("split", "test"), a.integer("n", 500),
                a.longInteger("seed", 0));
    }

    /** The canonical spelling, with every key, so equal specs describe themselves equally. */
    public String canonical() {
        return NAME + ":style=" + style.key() + ",slips=" + slips + ",steps=" + steps + ",split=" + split + ",n="
                + count + ",seed=" + seed;
    }
}
