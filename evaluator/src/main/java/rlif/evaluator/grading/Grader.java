package rlif.evaluator.grading;

/** Grades a completion against a reference answer: extract the final answer, then compare after normalisation. */
public final class Grader {
    private Grader() {}

    /** {@code reference} is the already extracted final answer, or null when the row has none. */
    public static Grade grade(String completion, String reference) {
        String answer = AnswerExtractor.completion(completion);
        if (reference == null) {
            return new Grade(answer, null);
        }
        return new Grade(answer, answer != null && AnswerNormalizer.equivalent(answer, reference));
    }
}
