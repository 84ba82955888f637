package rlif.evaluator.rollout;

/**
 * A given completion to score teacher-forced: the prompt's token ids and the completion's (at least one
 * token each). The completion's signals are those it would have had if the model had generated it.
 */
public record ForcedRequest(int[] promptIds, int[] completionIds) {
    public ForcedRequest {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("a prompt needs at least one token");
        }
        if (completionIds.length == 0) {
            throw new IllegalArgumentException("a completion to score needs at least one token");
        }
    }

    /** Prompt plus completion tokens. */
    public int length() {
        return promptIds.length + completionIds.length;
    }

    /** Token {@code i} of prompt followed by completion. */
    int token(int i) {
        return i < promptIds.length ? promptIds[i] : completionIds[i - promptIds.length];
    }
}
