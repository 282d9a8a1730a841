package dev.infero.core;

import java.util.List;

/**
 * A well-formed model that uses features Infero does not implement (operator types, data types, subgraphs).
 * Kept apart from {@link InferoException} so that tools can tell "cannot run this" from "this is broken".
 */
public class UnsupportedModelException extends InferoException {
    private final List<String> unsupported;

    public UnsupportedModelException(String message, List<String> unsupported) {
        super(message);
        this.unsupported = List.copyOf(unsupported);
    }

    public UnsupportedModelException(String message) {
        this(message, List.of());
    }

    @Override
    public InferoException withContext(String context) {
        UnsupportedModelException e = new UnsupportedModelException(context + getMessage(), unsupported);
        e.initCause(this);
        return e;
    }

    /** What is missing, one entry per item (for example {@code "Loop (node 'loop_0')"}). */
    public List<String> unsupported() {
        return unsupported;
    }
}
