package dev.infero.api;

import dev.infero.core.InferoException;
import dev.infero.core.ResourceLimitException;
import dev.infero.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A pool of infer requests that keeps a compiled model's streams busy: {@link #startAsync} hands inputs to an idle
 * request (waiting for one when all are running) and the callback receives each finished request with the caller's
 * data, in completion order.
 *
 * <pre>{@code
 * try (var queue = new AsyncInferQueue<Integer>(compiled, 0)) {   // 0: OPTIMAL_NUMBER_OF_INFER_REQUESTS
 *     queue.setCallback((request, frame, failure) -> results[frame] = request.getOutput(0).copy());
 *     for (int frame = 0; frame < frames.length; frame++) {
 *         queue.startAsync(List.of(frames[frame]), frame);
 *     }
 *     queue.waitAll();
 * }
 * }</pre>
 *
 * @param <T> the type of the per-inference user data
 */
public final class AsyncInferQueue<T> implements AutoCloseable {
    /** Called on a stream thread when an inference ends; the request is reused once the callback returns. */
    @FunctionalInterface
    public interface Callback<T> {
        void completed(InferRequest request, T userData, Throwable failure);
    }

    private final List<InferRequest> requests = new ArrayList<>();
    private final BlockingQueue<Integer> idle;
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private volatile Callback<T> callback;
    private final Lifecycle lifecycle = new Lifecycle("AsyncInferQueue");

    /** Requests one queue may hold: each owns its buffers, so the number is bounded before any is allocated. */
    public static final int MAX_JOBS = 1024;

    /**
     * {@code jobs} requests (1 to {@value #MAX_JOBS}), or the model's optimal number when {@code jobs} is 0.
     *
     * @throws ResourceLimitException when {@code jobs} is out of that range
     */
    public AsyncInferQueue(CompiledModel model, int jobs) {
        if (jobs < 0 || jobs > MAX_JOBS) {
            throw new ResourceLimitException("an AsyncInferQueue needs 1 to " + MAX_JOBS + " requests (or 0 for the "
                    + "optimal number), got " + jobs);
        }
        int n = jobs == 0 ? model.optimalNumberOfInferRequests() : jobs;
        this.idle = new ArrayBlockingQueue<>(n);
        for (int i = 0; i < n; i++) {
            requests.add(model.createInferRequest());
            idle.add(i);
        }
    }

    public void setCallback(Callback<T> callback) {
        this.callback = callback;
    }

    /** Number of requests in the pool. */
    public int size() {
        return requests.size();
    }

    /** Request {@code i} of the pool (for binding inputs once, or reading profiling counters). */
    public InferRequest get(int i) {
        return requests.get(i);
    }

    /** Whether a request is idle, so {@link #startAsync} would not wait. */
    public boolean isReady() {
        return !idle.isEmpty();
    }

    /**
     * Waits for an idle request, binds {@code inputs} (by position; an empty list keeps the request's current
     * inputs), starts it and returns its index in the pool.
     */
    public int startAsync(List<Tensor> inputs, T userData) {
        lifecycle.check("start an inference");
        int id;
        try {
            id = idle.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferoException("interrupted while waiting for an idle request", e);
        }
        InferRequest request = requests.get(id);
        try {
            for (int i = 0; i < inputs.size(); i++) {
                request.setInput(i, inputs.get(i));
            }
            request.setCallback(failure -> finished(id, userData, failure));
            request.startAsync();
        } catch (RuntimeException e) {
            idle.add(id);
            throw e;
        }
        return id;
    }

    private void finished(int id, T userData, Throwable failure) {
        try {
            if (failure != null) {
                firstFailure.compareAndSet(null, failure);
            }
            Callback<T> c = callback;
            if (c != null) {
                c.completed(requests.get(id), userData, failure);
            }
        } catch (Throwable t) {
            firstFailure.compareAndSet(null, t);
        } finally {
            idle.add(id);
        }
    }

    /** Waits until every started inference (and its callback) has finished; rethrows the first failure. */
    public void waitAll() {
        for (InferRequest r : requests) {
            try {
                r.await();
            } catch (InferoException ignored) {
                // recorded by finished(); reported once below
            }
        }
        Throwable f = firstFailure.getAndSet(null);
        if (f != null) {
            throw f instanceof InferoException e ? e : new InferoException("inference failed: " + f, f);
        }
    }

    /** Waits for the inferences started (rethrowing the first failure); later calls to startAsync throw. */
    @Override
    public void close() {
        if (lifecycle.close()) {
            waitAll();
        }
    }
}
