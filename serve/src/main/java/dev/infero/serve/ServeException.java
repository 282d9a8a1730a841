package dev.infero.serve;

import dev.infero.core.InferoException;

/**
 * A request the server answers with an error: the message goes to the client as {@code {"error": "..."}} (REST) or
 * as the status description (gRPC), with the status code of its {@link Kind}.
 */
public final class ServeException extends InferoException {
    /** What went wrong, with the HTTP status and gRPC code the KServe v2 protocol uses for it. */
    public enum Kind {
        /** Malformed request, wrong shape or datatype, unknown input or output: 400 / INVALID_ARGUMENT. */
        BAD_REQUEST(400, "INVALID_ARGUMENT"),
        /** Unknown model or version, unknown path: 404 / NOT_FOUND. */
        NOT_FOUND(404, "NOT_FOUND"),
        /** Body larger than the configured limit: 413 / RESOURCE_EXHAUSTED. */
        TOO_LARGE(413, "RESOURCE_EXHAUSTED"),
        /** The model's queue is full: 503 / RESOURCE_EXHAUSTED, at once. */
        OVERLOADED(503, "RESOURCE_EXHAUSTED"),
        /** Server or model (version) not ready, unloading or shutting down: 503 / UNAVAILABLE. */
        UNAVAILABLE(503, "UNAVAILABLE"),
        /** The request did not complete within its timeout: 504 / DEADLINE_EXCEEDED. */
        TIMEOUT(504, "DEADLINE_EXCEEDED"),
        /** The inference itself failed: 500 / INTERNAL. */
        INTERNAL(500, "INTERNAL");

        private final int httpStatus;
        private final String grpcCode;

        Kind(int httpStatus, String grpcCode) {
            this.httpStatus = httpStatus;
            this.grpcCode = grpcCode;
        }

        public int httpStatus() {
            return httpStatus;
        }

        /** The name of the {@code io.grpc.Status.Code}. */
        public String grpcCode() {
            return grpcCode;
        }
    }

    private final Kind kind;
    private final String version;

    public ServeException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public ServeException(Kind kind, String message, Throwable cause) {
        this(kind, message, cause, null);
    }

    private ServeException(Kind kind, String message, Throwable cause, String version) {
        super(message, cause);
        this.kind = kind;
        this.version = version;
    }

    public Kind kind() {
        return kind;
    }

    /** The model version the failed request was addressed to once resolved (for metric labels), or {@code null}. */
    public String version() {
        return version;
    }

    /** The same error, labelled with the resolved model version. */
    ServeException withVersion(long resolved) {
        return new ServeException(kind, getMessage(), getCause(), Long.toString(resolved));
    }

    static ServeException badRequest(String message) {
        return new ServeException(Kind.BAD_REQUEST, message);
    }

    static ServeException notFound(String message) {
        return new ServeException(Kind.NOT_FOUND, message);
    }
}
