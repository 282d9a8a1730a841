package dev.infero.core.device;

import dev.infero.core.tensor.Tensor;

/** One set of input and output buffers of an {@link Executable}; not thread-safe. */
public interface ExecutionRequest {
    /** Binds input {@code index}; the tensor is read during {@link #run()} and not copied. */
    void setInput(int index, Tensor tensor);

    Tensor input(int index);

    void run();

    /** Output {@code index} of the last run; overwritten by the next run. */
    Tensor output(int index);

    /** Turns per-layer timing on or off (off by default: timing every layer costs a little). */
    default void setProfiling(boolean enabled) {
    }

    /** Per-layer counters of the last run, in execution order; empty when profiling is off. */
    default java.util.List<ProfilingInfo> profilingInfo() {
        return java.util.List.of();
    }
}
