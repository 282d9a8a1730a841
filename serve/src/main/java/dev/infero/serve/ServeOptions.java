package dev.infero.serve;

import java.nio.file.Path;

/**
 * Server-wide settings of {@code infero serve}.
 *
 * @param host the address both listeners bind ({@code 127.0.0.1} by default: reachable from this machine only)
 * @param restPort the REST port (0: an ephemeral port, see {@link InferoServer#restPort()}); -1: no REST listener
 * @param grpcPort the gRPC port (0: ephemeral); -1: no gRPC listener
 * @param maxRequestBytes the largest request body (REST) or message (gRPC) accepted; larger ones get 413 /
 *     RESOURCE_EXHAUSTED
 * @param queueSize requests each model version queues beyond those running; more get 503 / RESOURCE_EXHAUSTED at once
 * @param requestTimeoutMillis how long a request may wait and run before it gets 504 / DEADLINE_EXCEEDED
 * @param batchTimeoutMicros how long dynamic batching waits for more requests after the first
 * @param pollSeconds how often config.json and the model repositories are checked for changes (0: never)
 * @param accessLog where JSON access log lines go: {@code null} nowhere, {@code "-"} standard error, else a file
 * @param shutdownGraceMillis how long shutdown waits for in-flight requests
 */
public record ServeOptions(String host, int restPort, int grpcPort, long maxRequestBytes, int queueSize,
        long requestTimeoutMillis, long batchTimeoutMicros, int pollSeconds, String accessLog,
        long shutdownGraceMillis) {
    /** Defaults: 127.0.0.1, REST on 8000 and gRPC on 9000, 64 MiB bodies, 64 queued, 30 s timeout, 1 ms batch wait. */
    public static ServeOptions defaults() {
        return new ServeOptions("127.0.0.1", 8000, 9000, 64L << 20, 64, 30_000, 1000, 1, null, 30_000);
    }

    public ServeOptions withPorts(int rest, int grpc) {
        return new ServeOptions(host, rest, grpc, maxRequestBytes, queueSize, requestTimeoutMillis, batchTimeoutMicros,
                pollSeconds, accessLog, shutdownGraceMillis);
    }

    public ServeOptions withLimits(long maxBytes, int queue, long timeoutMillis) {
        return new ServeOptions(host, restPort, grpcPort, maxBytes, queue, timeoutMillis, batchTimeoutMicros,
                pollSeconds, accessLog, shutdownGraceMillis);
    }

    public ServeOptions withBatchTimeoutMicros(long micros) {
        return new ServeOptions(host, restPort, grpcPort, maxRequestBytes, queueSize, requestTimeoutMillis, micros,
                pollSeconds, accessLog, shutdownGraceMillis);
    }

    public ServeOptions withPollSeconds(int seconds) {
        return new ServeOptions(host, restPort, grpcPort, maxRequestBytes, queueSize, requestTimeoutMillis,
                batchTimeoutMicros, seconds, accessLog, shutdownGraceMillis);
    }

    public ServeOptions withAccessLog(String target) {
        return new ServeOptions(host, restPort, grpcPort, maxRequestBytes, queueSize, requestTimeoutMillis,
                batchTimeoutMicros, pollSeconds, target, shutdownGraceMillis);
    }

    /** Path of the access log file, or {@code null} for none or standard error. */
    Path accessLogFile() {
        return accessLog == null || accessLog.equals("-") ? null : Path.of(accessLog);
    }
}
