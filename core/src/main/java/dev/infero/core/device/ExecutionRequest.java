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
}
