package dev.infero.core.device;

import dev.infero.core.InferoException;
import java.util.Locale;

/**
 * What the device should optimize a compiled model for ({@code PERFORMANCE_HINT}), from which it derives streams,
 * threads and the optimal number of requests unless they are given explicitly.
 */
public enum PerformanceHint {
    /** One inference as fast as possible: one stream using every core. */
    LATENCY,
    /** As many inferences per second as possible: several streams (one per core) running requests in parallel. */
    THROUGHPUT,
    /** No derivation: streams and threads come from {@code NUM_STREAMS} and {@code INFERENCE_NUM_THREADS}. */
    NONE;

    /** Parses {@code latency}, {@code throughput}/{@code tput} or {@code none} (any case). */
    public static PerformanceHint parse(String text) {
        return switch (text.trim().toUpperCase(Locale.ROOT)) {
            case "LATENCY" -> LATENCY;
            case "THROUGHPUT", "TPUT" -> THROUGHPUT;
            case "NONE", "" -> NONE;
            default -> throw new InferoException("PERFORMANCE_HINT must be LATENCY, THROUGHPUT or NONE, got '"
                    + text + "'");
        };
    }
}
