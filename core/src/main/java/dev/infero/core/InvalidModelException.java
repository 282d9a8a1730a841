package dev.infero.core;

/**
 * A model file that is malformed or inconsistent: corrupt or truncated bytes, a graph that refers to missing tensors,
 * attributes out of range, shapes that do not fit together. Thrown by the frontends while a model is read; the
 * message names the file and the node, tensor or field at fault. Fixing it means fixing (or re-exporting) the model.
 */
public class InvalidModelException extends InferoException {
    public InvalidModelException(String message) {
        super(message);
    }

    public InvalidModelException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public InferoException withContext(String context) {
        return new InvalidModelException(context + getMessage(), this);
    }

    /**
     * {@code e} with {@code context} put before its message, for a frontend that adds where an error happened: a
     * plain {@link InferoException} (a shape or attribute error from a core op while the graph is built) becomes an
     * {@code InvalidModelException}, while a more specific kind (resource limit, unsupported op) keeps its kind.
     */
    public static InferoException wrap(String context, InferoException e) {
        return e.getClass() == InferoException.class ? new InvalidModelException(context + e.getMessage(), e)
                : e.withContext(context);
    }
}
