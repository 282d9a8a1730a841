package dev.infero.cpu;

import dev.infero.core.device.ExecutionConfig;
import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.Executable;
import dev.infero.core.device.PortInfo;
import dev.infero.core.device.StreamExecutor;
import dev.infero.cpu.jit.KernelCache;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * A compiled model on the CPU. The plan is immutable, so requests may run concurrently; asynchronous requests run on
 * the model's streams.
 */
final class CpuExecutable implements Executable {
    private final ExecutionPlan plan;
    private final ExecutionConfig config;
    private final StreamExecutor streams;
    private final WorkerPools workerPools;
    private final Map<String, String> properties;
    /** The code generated for this model's kernels. */
    private final KernelCache jit;
    /** Plans per concrete input shape when the model has dynamic input dimensions, else {@code null}. */
    private final ShapePlanCache shapePlans;

    CpuExecutable(String name, ExecutionPlan plan, ExecutionConfig config, KernelCache jit, ShapePlanCache shapePlans) {
        this.plan = plan;
        this.shapePlans = shapePlans;
        this.jit = jit;
        this.config = config;
        this.streams = new StreamExecutor("infero-CPU", config.streams(), config.threadsPerStream());
        this.workerPools = new WorkerPools(config.streams(), config.threadsPerStream(), "infero-CPU");
        Map<String, String> p = new LinkedHashMap<>();
        p.put("NETWORK_NAME", name);
        p.putAll(config.properties());
        p.put("INFERENCE_PRECISION_HINT", "f32");
        p.put("EXECUTION_DEVICES", "CPU");
        p.put(ExecutionConfig.CPU_RUNTIME_CACHE_CAPACITY, Integer.toString(config.shapeCacheCapacity()));
        this.properties = Collections.unmodifiableMap(p);
    }

    @Override
    public List<PortInfo> inputs() {
        return plan.inputs;
    }

    @Override
    public List<PortInfo> outputs() {
        return plan.outputs;
    }

    @Override
    public ExecutionRequest newRequest() {
        CpuRequest request = new CpuRequest(plan, workerPools, shapePlans);
        request.setProfiling(config.perfCount());
        return request;
    }

    @Override
    public Map<String, String> properties() {
        if (shapePlans == null) {
            return properties;
        }
        Map<String, String> p = new LinkedHashMap<>(properties);
        p.putAll(shapePlans.properties());
        return Collections.unmodifiableMap(p);
    }

    @Override
    public Executor streams() {
        return streams;
    }

    @Override
    public void close() {
        streams.close();
        workerPools.close();
        jit.close();
    }
}
