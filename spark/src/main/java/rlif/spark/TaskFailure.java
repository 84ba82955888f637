package rlif.spark;

import rlif.models.BadInputException;

/**
 * What the driver reports when a Spark job fails in its tasks. Spark's own exception carries the failed
 * attempt's stack trace in its message; the user sees one line instead: the task's {@link BadInputException}
 * itself (bad input only an executor could see, such as a remote model's weights), or else the class and first
 * line of the root cause. {@code --verbose} still prints the whole chain.
 */
final class TaskFailure {
    private TaskFailure() {}

    static RuntimeException of(Throwable failure) {
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BadInputException bad) {
                return new BadInputException(bad.getMessage(), failure);
            }
            root = t;
        }
        String message = root.getMessage() == null ? "" : root.getMessage().lines().findFirst().orElse("");
        return new IllegalStateException("a Spark task failed on every attempt: " + root.getClass().getSimpleName()
                + (message.isEmpty() ? "" : ": " + message), failure);
    }
}
