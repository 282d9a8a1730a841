package dev.infero.cpu;

import dev.infero.core.device.Device;
import dev.infero.core.device.ExecutionConfig;
import dev.infero.core.device.Executable;
import dev.infero.core.graph.Graph;
import java.util.Map;

/**
 * The CPU device: plans a graph into a sequence of kernel calls over preallocated buffers. Streams and threads follow
 * {@link ExecutionConfig} over the processors available to the JVM.
 */
public final class CpuDevice implements Device {
    @Override
    public String name() {
        return "CPU";
    }

    @Override
    public Executable compile(Graph graph, Map<String, String> config) {
        ExecutionConfig settings = ExecutionConfig.resolve(config, Runtime.getRuntime().availableProcessors());
        return new CpuExecutable(graph.name(), ExecutionPlan.of(graph), settings);
    }
}
