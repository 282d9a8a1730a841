package dev.infero.core.device;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/** A graph compiled for one device. Thread-safe: any number of requests may run on it at once. */
public interface Executable extends AutoCloseable {
    /**
     * Property of a device that hands the model to another runtime: what that runtime runs (e.g. ORT: "the ONNX file
     * ..." or "the model exported to ONNX opset 18"), which peer comparisons print.
     */
    String EXECUTED_MODEL = "EXECUTED_MODEL";
    /**
     * Property of such a device compiled with {@code PERF_COUNT=YES}: the ONNX file the other runtime was given (the
     * model's own file, or its export written for the purpose), so per-layer counters can be traced to its nodes.
     */
    String EXECUTED_MODEL_FILE = "EXECUTED_MODEL_FILE";
    /**
     * Property of such a device compiled with {@code PERF_COUNT=YES}: the ONNX file of the graph as the other runtime
     * optimized it (its counters name these nodes); it exists until the executable is closed.
     */
    String OPTIMIZED_MODEL_FILE = "OPTIMIZED_MODEL_FILE";
    /**
     * Property: what a request's per-layer counters cover. Absent or {@link #PROFILE_SCOPE_LAST_RUN}: the last run (as
     * {@link ExecutionRequest#profilingInfo()} says); {@link #PROFILE_SCOPE_SESSION}: every run from compiling until
     * the first read, which ends profiling (a runtime that hands out its profile only once, such as ONNX Runtime).
     */
    String PROFILE_SCOPE = "PROFILE_SCOPE";
    String PROFILE_SCOPE_LAST_RUN = "LAST_RUN";
    String PROFILE_SCOPE_SESSION = "SESSION";

    List<PortInfo> inputs();

    List<PortInfo> outputs();

    /** A new request with its own buffers; a request is used by one thread at a time. */
    ExecutionRequest newRequest();

    /**
     * Read-only properties with OpenVINO's names, e.g. {@code OPTIMAL_NUMBER_OF_INFER_REQUESTS}, {@code NUM_STREAMS},
     * {@code INFERENCE_NUM_THREADS}, {@code PERFORMANCE_HINT}, {@code PERF_COUNT}.
     */
    default Map<String, String> properties() {
        return Map.of();
    }

    /** Where asynchronous inferences run: the device's streams (see {@link StreamExecutor}). */
    default Executor streams() {
        return ForkJoinPool.commonPool();
    }

    @Override
    void close();
}
