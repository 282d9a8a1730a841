package dev.infero.api;

import dev.infero.core.device.Executable;
import dev.infero.core.device.PortInfo;
import java.util.List;

/** A model compiled for one device. Thread-safe; create one {@link InferRequest} per concurrent caller. */
public final class CompiledModel implements AutoCloseable {
    private final Executable executable;
    private final String device;

    CompiledModel(Executable executable, String device) {
        this.executable = executable;
        this.device = device;
    }

    public String device() {
        return device;
    }

    public List<PortInfo> inputs() {
        return executable.inputs();
    }

    public List<PortInfo> outputs() {
        return executable.outputs();
    }

    public InferRequest createInferRequest() {
        return new InferRequest(executable.newRequest(), executable.inputs(), executable.outputs());
    }

    @Override
    public void close() {
        executable.close();
    }
}
