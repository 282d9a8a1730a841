package dev.infero.cpu;

import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.Executable;
import dev.infero.core.device.PortInfo;
import java.util.List;

/** A compiled model on the CPU. Holds only immutable state, so requests may run concurrently. */
final class CpuExecutable implements Executable {
    private final ExecutionPlan plan;

    CpuExecutable(ExecutionPlan plan) {
        this.plan = plan;
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
        return new CpuRequest(plan);
    }

    @Override
    public void close() {
    }
}
