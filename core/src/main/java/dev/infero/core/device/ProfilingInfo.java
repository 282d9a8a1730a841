package dev.infero.core.device;

/**
 * One row of per-layer performance counters, as OpenVINO reports them: the node, its type, what happened to it
 * ({@code EXECUTED}, {@code OPTIMIZED_OUT}), which kernel ran (e.g. {@code reference_f32}) and how long it took in
 * the last inference.
 */
public record ProfilingInfo(String nodeName, String nodeType, Status status, String execType, long realTimeNanos) {
    public enum Status { EXECUTED, NOT_RUN, OPTIMIZED_OUT }
}
