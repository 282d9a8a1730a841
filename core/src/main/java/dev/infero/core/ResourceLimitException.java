package dev.infero.core;

/**
 * Work refused because it would need more memory (or threads, or requests) than a {@link ResourceLimits} limit or an
 * option's range allows, checked before anything is allocated. The message names the tensor, op or option, the
 * amount asked for and the limit, and how to raise the limit when it can be raised.
 */
public class ResourceLimitException extends InferoException {
    public ResourceLimitException(String message) {
        super(message);
    }

    public ResourceLimitException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public InferoException withContext(String context) {
        return new ResourceLimitException(context + getMessage(), this);
    }
}
