package dev.infero.api;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidInputException;
import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.PortInfo;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.tensor.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Inputs, outputs and one inference at a time, run either synchronously ({@link #infer()}) or on the compiled model's
 * streams ({@link #startAsync()} then {@link #await()}). Not thread-safe: one thread drives a request; only the
 * completion callback runs on a stream thread.
 *
 * <pre>{@code
 * InferRequest request = compiled.createInferRequest();
 * request.setCallback(failure -> { if (failure == null) consume(request.getOutput(0)); });
 * request.setInput(0, tensor);
 * request.startAsync();      // returns at once; the inference runs on one of the model's streams
 * ...                        // other work
 * request.await();           // rethrows a failure of the inference
 * }</pre>
 */
public final class InferRequest {
    /** Called on the stream thread when an asynchronous inference ends, with its failure or {@code null}. */
    @FunctionalInterface
    public interface Callback {
        void completed(Throwable failure);
    }

    private final ExecutionRequest request;
    private final List<PortInfo> inputs;
    private final List<PortInfo> outputs;
    private final Executor streams;
    private final Lifecycle model;
    private volatile Callback callback;
    private volatile CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);
    private volatile boolean busy;

    InferRequest(ExecutionRequest request, List<PortInfo> inputs, List<PortInfo> outputs, Executor streams,
                 Lifecycle model) {
        this.model = model;
        this.request = request;
        this.inputs = inputs;
        this.outputs = outputs;
        this.streams = streams;
    }

    /**
     * Binds {@code tensor} to input {@code index} (no copy: the request reads it at the next inference).
     *
     * @throws IllegalArgumentException if {@code tensor} is {@code null}
     * @throws dev.infero.core.InvalidInputException if the index, type or shape does not fit the model's input
     * @throws IllegalStateException if the request or its compiled model is closed
     */
    public void setInput(int index, Tensor tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException("setInput: the tensor for input " + index + " is null");
        }
        requireIdle("set an input");
        model.check("set an input of one of its requests");
        request.setInput(index, tensor);
    }

    public void setInput(String name, Tensor tensor) {
        setInput(indexOf(inputs, name, "input"), tensor);
    }

    /** The tensor bound to input {@code index}, or {@code null}. */
    public Tensor getInput(int index) {
        return request.input(index);
    }

    /** Runs the model synchronously, on the calling thread, on the bound inputs. */
    public void infer() {
        requireIdle("run it");
        model.enter("run an inference", true);
        try {
            request.run();
        } finally {
            model.exit(true);
        }
    }

    /**
     * Starts an inference on the compiled model's streams and returns at once. The inputs must not change until it
     * completes. Throws if the previous asynchronous inference is still running.
     */
    public void startAsync() {
        requireIdle("start it again");
        model.enter("start an inference", false);
        busy = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        pending = done;
        try {
            streams.execute(() -> runAndComplete(done));
        } catch (RuntimeException e) {
            busy = false;
            model.exit(false);
            done.completeExceptionally(e);
            throw new InferoException("cannot start the inference: " + e.getMessage(), e);
        }
    }

    /**
     * The request is idle again before the callback runs, so that a callback (or an {@link AsyncInferQueue}) may
     * start the next inference; {@link #await()} returns only after the callback.
     */
    private void runAndComplete(CompletableFuture<Void> done) {
        Throwable failure = null;
        try {
            request.run();
        } catch (Throwable t) {
            failure = t;
        } finally {
            model.exit(false);
        }
        busy = false;
        Callback c = callback;
        if (c != null) {
            try {
                c.completed(failure);
            } catch (Throwable t) {
                failure = failure == null ? t : failure;
            }
        }
        if (failure == null) {
            done.complete(null);
        } else {
            done.completeExceptionally(failure);
        }
    }

    /** Waits for the last started inference (and its callback); rethrows its failure. */
    public void await() {
        try {
            pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferoException("interrupted while waiting for an inference", e);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        }
    }

    /** Waits at most {@code timeout}; returns whether the inference has completed (rethrows its failure). */
    public boolean await(Duration timeout) {
        try {
            pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferoException("interrupted while waiting for an inference", e);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        }
    }

    /** Sets (or with {@code null} removes) the callback of the following asynchronous inferences. */
    public void setCallback(Callback callback) {
        this.callback = callback;
    }

    /** Whether an asynchronous inference is running. */
    public boolean isBusy() {
        return busy;
    }

    /** Output {@code index} of the last inference; its contents are overwritten by the next one. */
    public Tensor getOutput(int index) {
        model.check("read an output of one of its requests");
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

    private void requireIdle(String action) {
        if (busy) {
            throw new InferoException("the request is still running an asynchronous inference; await() it before "
                    + "trying to " + action);
        }
    }

    private static InferoException failure(Throwable cause) {
        return cause instanceof InferoException e ? e
                : new InferoException("inference failed: " + cause, cause);
    }

    private static int indexOf(List<PortInfo> ports, String name, String kind) {
        for (int i = 0; i < ports.size(); i++) {
            if (ports.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new InvalidInputException("the model has no " + kind + " named '" + name + "'; its " + kind + "s are "
                + ports.stream().map(PortInfo::name).toList());
    }
}
