package dev.infero.core;

/**
 * The one exception type Infero throws for problems a user can fix: a malformed model file, an unsupported
 * operator, an input of the wrong shape. Its message is a complete, one-line explanation meant to be printed as is.
 */
public class InferoException extends RuntimeException {
    public InferoException(String message) {
        super(message);
    }

    public InferoException(String message, Throwable cause) {
        super(message, cause);
    }
}
