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
