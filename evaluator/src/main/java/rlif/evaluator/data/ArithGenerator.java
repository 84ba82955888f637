package rlif.evaluator.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates seeded multi-step integer arithmetic problems with worked solutions.
 *
 * <p>Problems are evaluated with the usual precedence (parentheses, then {@code *}, then {@code +}/{@code -}
 * left to right), one operation per solution line, so a model can learn to reason step by step. The
 * train/test split is a pure function of the expression text (a hash), so the two splits never share a
 * prompt whatever the seeds or levels used to draw them. The text uses a small alphabet ({@link #ALPHABET})
 * so a character-level tokenizer covers it.
 */
public final class ArithGenerator {
    /** Every character a prompt or solution can contain. */
    public static final String ALPHABET = "0123456789+-*()=# \ncompute";

    /** Percentage of all expressions that belong to the test split. */
    static final int TEST_PERCENT = 10;

    private final ArithSpec spec;
    private final Random random;

    public ArithGenerator(ArithSpec spec) {
        this.spec = spec;
        // Mix the level into the seed so levels drawn with the same seed are not correlated.
        this.random = new Random(spec.seed() * 1_000_003L + spec.level());
    }

    /** The next problem of the spec's split. */
    public ArithProblem next() {
        while (true) {
            List<String> tokens = drawExpression();
            String expression = String.join(" ", tokens);
            if (splitOf(expression).equals(spec.split())) {
                return solve(expression, tokens);
            }
        }
    }

    /** The split an expression belongs to, from a hash of its canonical text. */
    public static String splitOf(String expression) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(expression.getBytes(StandardCharsets.UTF_8));
            int bucket = Math.floorMod(((h[0] & 0xff) << 8) | (h[1] & 0xff), 100);
            return bucket < TEST_PERCENT ? "test" : "train";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private List<String> drawExpression() {
        int n = spec.steps() + 1;
        List<String> ops = new ArrayList<>();
        for (int i = 0; i < spec.steps(); i++) {
            ops.add(String.valueOf(spec.ops().charAt(random.nextInt(spec.ops().length()))));
        }
        List<String> tokens = new ArrayList<>();
        int open = -1;
        int close = -1;
        if (spec.parens() && n >= 3 && random.nextBoolean()) {
            // Parenthesise operands [open, close]: at least two, never the whole expression.
            int len = 2 + random.nextInt(n - 2);
            open = random.nextInt(n - len + 1);
            close = open + len - 1;
        }
        for (int i = 0; i < n; i++) {
            if (i == open) {
                tokens.add("(");
            }
            boolean multiplied = (i > 0 && ops.get(i - 1).equals("*")) || (i < n - 1 && ops.get(i).equals("*"));
            // Factors stay small so products stay readable at every level.
            int max = multiplied ? Math.min(spec.maxOperand(), 12) : spec.maxOperand();
            tokens.add(String.valueOf(1 + random.nextInt(max)));
            if (i == close) {
                tokens.add(")");
            }
            if (i < n - 1) {
                tokens.add(ops.get(i));
            }
        }
        return tokens;
    }

    /** Evaluates one operation at a time, writing each as a solution line. */
    static ArithProblem solve(String expression, List<String> tokens) {
        List<String> t = new ArrayList<>(tokens);
        StringBuilder solution = new StringBuilder();
        while (t.size() > 1) {
            int from = 0;
            int to = t.size();
            int open = t.lastIndexOf("(");
            if (open >= 0) {
                int close = t.subList(open, t.size()).indexOf(")") + open;
                if (close - open == 2) {
                    t.remove(close);
                    t.remove(open);
                    continue;
                }
                from = open + 1;
                to = close;
            }
            int op = -1;
            for (int i = from; i < to; i++) {
                if (t.get(i).equals("*")) {
                    op = i;
                    break;
                }
            }
            if (op < 0) {
                op = from + 1;
            }
            long a = Long.parseLong(t.get(op - 1));
            long b = Long.parseLong(t.get(op + 1));
            long r = switch (t.get(op)) {
                case "+" -> a + b;
                case "-" -> a - b;
                case "*" -> a * b;
                default -> throw new IllegalStateException("operator " + t.get(op));
            };
            solution.append(a).append(' ').append(t.get(op)).append(' ').append(b).append(" = ").append(r).append('\n');
            t.set(op - 1, String.valueOf(r));
            t.remove(op + 1);
            t.remove(op);
        }
        long answer = Long.parseLong(t.get(0));
        solution.append("#### ").append(answer);
        return new ArithProblem(expression, solution.toString(), answer);
    }
}
