package rlif.evaluator.data;

/**
 * One prompt of a data set: either text ({@code promptText}) or token ids ({@code promptIds}), never both.
 *
 * @param index 0-based position in the source; the key rows of {@code rollouts.jsonl} are resumed by
 * @param id the row's {@code id} field, or a stable one made from the source and index
 * @param promptText the prompt as text, or null when the row gave token ids
 * @param promptIds the prompt as token ids, or null when the row gave text
 * @param reference the final reference answer (already extracted from a worked solution), or null
 * @param solution the worked solution as written (GSM8K's {@code answer} with its {@code #### x}, MATH's
 *     {@code \boxed{}} text, a generator's steps), the target of supervised fine-tuning; null when the row gave only
 *     a bare reference
 * @param where where the row came from ({@code file:line}), for error messages
 */
public record Problem(int index, String id, String promptText, int[] promptIds, String reference, String solution,
        String where) implements java.io.Serializable {
    public Problem {
        if ((promptText == null) == (promptIds == null)) {
            throw new IllegalArgumentException("a problem has either prompt text or prompt ids");
        }
    }

    public boolean hasText() {
        return promptText != null;
    }
}
