package dev.infero.api;

import dev.infero.core.InferoException;
import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.PortInfo;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.tensor.Tensor;
import java.util.List;

/** Inputs, outputs and one inference at a time. Not thread-safe: give each thread its own request. */
public final class InferRequest {
    private final ExecutionRequest request;
    private final List<PortInfo> inputs;
    private final List<PortInfo> outputs;

    InferRequest(ExecutionRequest request, List<PortInfo> inputs, List<PortInfo> outputs) {
        this.request = request;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    public void setInput(int index, Tensor tensor) {
        request.setInput(index, tensor);
    }

    public void setInput(String name, Tensor tensor) {
        request.setInput(indexOf(inputs, name, "input"), tensor);
    }

    /** Runs the model synchronously on the bound inputs. */
    public void infer() {
        request.run();
    }

    /** Output {@code index} of the last inference; its contents are overwritten by the next one. */
    public Tensor getOutput(int index) {
        if (index < 0 || index >= outputs.size()) {
            throw new InferoException("output index " + index + " is out of range: the model has " + outputs.size()
                    + " outputs");
        }
        return request.output(index);
    }

    public Tensor getOutput(String name) {
        return request.output(indexOf(outputs, name, "output"));
    }

    /** Enables per-layer timing for the following inferences ({@code -pc} in the tools). */
    public void setProfiling(boolean enabled) {
        request.setProfiling(enabled);
    }

    /** Per-layer counters of the last inference: node, type, status, kernel, time. Empty unless profiling is on. */
    public List<ProfilingInfo> getProfilingInfo() {
        return request.profilingInfo();
    }

    public List<PortInfo> inputs() {
        return inputs;
    }

    public List<PortInfo> outputs() {
        return outputs;
    }

    private static int indexOf(List<PortInfo> ports, String name, String kind) {
        for (int i = 0; i < ports.size(); i++) {
            if (ports.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new InferoException("the model has no " + kind + " named '" + name + "'; its " + kind + "s are "
                + ports.stream().map(PortInfo::name).toList());
    }
}
