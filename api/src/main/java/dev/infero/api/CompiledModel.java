package dev.infero.api;

import dev.infero.core.InferoException;
import dev.infero.core.device.Executable;
import dev.infero.core.device.PortInfo;
import java.util.List;
import java.util.Map;

/**
 * A model compiled for one device with its execution settings (streams, threads, hint). Thread-safe; create one
 * {@link InferRequest} per concurrent caller, or use an {@link AsyncInferQueue}.
 */
public final class CompiledModel implements AutoCloseable {
    /** Property: how many requests keep every stream busy (what {@code AsyncInferQueue(model, 0)} creates). */
    public static final String OPTIMAL_NUMBER_OF_INFER_REQUESTS = "OPTIMAL_NUMBER_OF_INFER_REQUESTS";

    private final Executable executable;
    private final String device;
    private final Lifecycle lifecycle;

    CompiledModel(Executable executable, String device) {
        this.executable = executable;
        this.device = device;
        this.lifecycle = new Lifecycle("compiled model '" + executable.properties().getOrDefault("NETWORK_NAME", "?")
                + "' (" + device + ")");
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return lifecycle.isClosed();
    }

    public String device() {
        return device;
    }

    public List<PortInfo> inputs() {
        lifecycle.check("list its inputs");
        return executable.inputs();
    }

    public List<PortInfo> outputs() {
        lifecycle.check("list its outputs");
        return executable.outputs();
    }

    /** A new request; requests share the compiled model and must not be used after it is closed. */
    public InferRequest createInferRequest() {
        lifecycle.check("create an infer request");
        return new InferRequest(executable.newRequest(), executable.inputs(), executable.outputs(),
                executable.streams(), lifecycle);
    }

    /**
     * The compiled model's read-only properties with OpenVINO's names, in a stable order:
     * {@code NETWORK_NAME}, {@code OPTIMAL_NUMBER_OF_INFER_REQUESTS}, {@code NUM_STREAMS},
     * {@code INFERENCE_NUM_THREADS}, {@code PERFORMANCE_HINT}, {@code PERF_COUNT}, ... (device-dependent).
     */
    public Map<String, String> properties() {
        lifecycle.check("read its properties");
        return executable.properties();
    }

    /** One property; throws for a property the device does not report. */
    public String property(String name) {
        String v = executable.properties().get(name);
        if (v == null) {
            throw new InferoException("device " + device + " has no property '" + name + "'; it has "
                    + executable.properties().keySet());
        }
        return v;
    }

    /** {@link #OPTIMAL_NUMBER_OF_INFER_REQUESTS}, 1 when the device does not report it. */
    public int optimalNumberOfInferRequests() {
        return Integer.parseInt(executable.properties().getOrDefault(OPTIMAL_NUMBER_OF_INFER_REQUESTS, "1"));
    }

    /**
     * Releases the model's worker threads, generated code and memory. Inferences already running finish first (a
     * callback closing its own model does not wait for itself); any later use of the model, its requests or an
     * {@link AsyncInferQueue} over it throws {@link IllegalStateException}. Closing twice does nothing.
     */
    @Override
    public void close() {
        if (lifecycle.close()) {
            executable.close();
        }
    }
}
