package dev.infero.cpu;

import dev.infero.core.device.Device;
import dev.infero.core.device.Executable;
import dev.infero.core.graph.Graph;
import java.util.Map;

/** The CPU device: plans a graph into a sequence of kernel calls over preallocated buffers. */
public final class CpuDevice implements Device {
    @Override
    public String name() {
        return "CPU";
    }

    @Override
    public Executable compile(Graph graph, Map<String, String> config) {
        return new CpuExecutable(ExecutionPlan.of(graph));
    }
}
