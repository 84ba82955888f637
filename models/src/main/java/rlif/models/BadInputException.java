package rlif.models;

/**
 * A problem with something the user handed us (a file, a flag, a data row), as opposed to a bug.
 *
 * <p>The CLI turns it into exit code 2 and a single {@code error:} line, so the message must say
 * what is wrong and where (file, line, field) without needing a stack trace.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
