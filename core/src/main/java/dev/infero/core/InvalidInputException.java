package dev.infero.core;

/**
 * Input data that does not fit the model or is unreadable: a tensor of the wrong shape or element type given to
 * {@code InferRequest.setInput}, a corrupt or truncated image or {@code .npy} file, preprocessing values that are
 * zero or not finite. The message names the input (port, file or option) and what was expected.
 */
public class InvalidInputException extends InferoException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public InferoException withContext(String context) {
        return new InvalidInputException(context + getMessage(), this);
    }
}
