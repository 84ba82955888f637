package rlif.evaluator.data;

/**
 * One synthetic arithmetic problem: the expression, its worked step-by-step solution (one binary
 * operation per line, then {@code #### answer}) and the answer.
 */
public record ArithProblem(String expression, String solution, long answer) {
    /** The prompt a model sees. */
    public String prompt() {
        return "compute " + expression + "\n";
    }
}
