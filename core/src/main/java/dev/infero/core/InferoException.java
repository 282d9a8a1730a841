package dev.infero.core;

/**
 * The one exception type Infero throws for problems a user can fix. Its message is a complete, one-line explanation
 * meant to be printed as is. Catching {@code InferoException} catches every kind; the subclasses tell them apart:
 * <ul>
 *   <li>{@link InvalidModelException}: the model file is malformed or inconsistent (frontends, while reading);</li>
 *   <li>{@link UnsupportedModelException}: a well-formed model uses an operator or type Infero does not implement;</li>
 *   <li>{@link InvalidInputException}: input data (a tensor given to an inference, an image, an array file,
 *       preprocessing values) does not fit the model or cannot be read;</li>
 *   <li>{@link ResourceLimitException}: the work would exceed a {@link ResourceLimits} limit or an option's range,
 *       refused before anything is allocated.</li>
 * </ul>
 * Other failures stay plain {@code InferoException}s (a missing or unreadable file, a bad option value). Using an API
 * object after {@code close()} throws {@link IllegalStateException}, and a {@code null} argument
 * {@link IllegalArgumentException}, as the JDK and ONNX Runtime's Java API do.
 */
public class InferoException extends RuntimeException {
    public InferoException(String message) {
        super(message);
    }

    public InferoException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * An exception of the same kind with {@code context} (for example {@code "IR layer 'conv1': "}) put before this
     * message and this as its cause: lets a caller say where an error happened without losing its kind.
     */
    public InferoException withContext(String context) {
        return new InferoException(context + getMessage(), this);
    }
}
