package dev.infero.serve;

import dev.infero.api.CompiledModel;
import dev.infero.api.InferRequest;
import dev.infero.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the inferences of one model version: a bounded queue of jobs served by {@code nireq} workers, each owning an
 * infer request that runs on the compiled model's streams.
 *
 * <p>When the queue is full, {@link #submit} fails at once with {@link ServeException.Kind#OVERLOADED} (503 /
 * RESOURCE_EXHAUSTED) instead of letting latency grow without bound. With dynamic batching (a second compiled model
 * whose batch dimension is {@code batchSize}), a worker that takes a job also takes the jobs that arrive within
 * {@code batchWaitNanos}, up to {@code batchSize}, copies their inputs into one batch (zero-padding unused slots) and
 * splits the outputs; a lone job runs on the batch-1 model without waiting.
 */
final class InferenceEngine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(InferenceEngine.class.getName());

    /** One request's inputs (already in the model's types and shapes) and its completion. */
    static final class Job {
        final List<Tensor> inputs;
        final long deadlineNanos;
        final CompletableFuture<List<Tensor>> result = new CompletableFuture<>();

        Job(List<Tensor> inputs, long deadlineNanos) {
            this.inputs = inputs;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private final String label;
    private final ArrayBlockingQueue<Job> queue;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger running = new AtomicInteger();
    private final int batchSize;
    private final long batchWaitNanos;
    private final LongConsumer inferenceNanos;

    InferenceEngine(String label, CompiledModel single, CompiledModel batched, int batchSize, int nireq,
            int queueCapacity, long batchWaitNanos, LongConsumer inferenceNanos) {
        this.label = label;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, queueCapacity));
        this.batchSize = batched == null ? 1 : batchSize;
        this.batchWaitNanos = batchWaitNanos;
        this.inferenceNanos = inferenceNanos;
        for (int i = 0; i < nireq; i++) {
            InferRequest one = single.createInferRequest();
            InferRequest many = batched == null ? null : batched.createInferRequest();
            Thread t = Thread.ofPlatform().daemon().name("infer-" + label + "-" + i).unstarted(() -> work(one, many));
            workers.add(t);
        }
        workers.forEach(Thread::start);
    }

    /** Queues a job; fails at once when the queue is full or the engine is closing. */
    CompletableFuture<List<Tensor>> submit(List<Tensor> inputs, long deadlineNanos) {
        if (closed.get()) {
            throw new ServeException(ServeException.Kind.UNAVAILABLE, "model " + label + " is unloading");
        }
        Job job = new Job(inputs, deadlineNanos);
        if (!queue.offer(job)) {
            throw new ServeException(ServeException.Kind.OVERLOADED, "model " + label + " is overloaded: its queue of "
                    + (queue.size() + queue.remainingCapacity()) + " requests is full; retry later");
        }
        return job.result;
    }

    /** Jobs waiting for a worker. */
    int queueDepth() {
        return queue.size();
    }

    /** Jobs waiting or running. */
    int inFlight() {
        return queue.size() + running.get();
    }

    int batchSize() {
        return batchSize;
    }

    private void work(InferRequest one, InferRequest many) {
        List<Job> batch = new ArrayList<>(batchSize);
        Tensor[] batchInputs = null;
        while (true) {
            Job first;
            try {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first == null) {
                if (closed.get() && queue.isEmpty()) {
                    return;
                }
                continue;
            }
            running.incrementAndGet();
            try {
                batch.clear();
                batch.add(first);
                if (many != null) {
                    long until = System.nanoTime() + batchWaitNanos;
                    while (batch.size() < batchSize) {
                        long left = until - System.nanoTime();
                        Job next = left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
                        if (next == null) {
                            break;
                        }
                        batch.add(next);
                    }
                }
                batch.removeIf(this::expiredOrCancelled);
                if (batch.size() == 1) {
                    runOne(one, batch.get(0));
                } else if (!batch.isEmpty()) {
                    if (batchInputs == null) {
                        batchInputs = new Tensor[many.inputs().size()];
                        for (int i = 0; i < batchInputs.length; i++) {
                            batchInputs[i] = Tensor.allocate(many.inputs().get(i).type(),
                                    many.inputs().get(i).shape().toArray());
                        }
                    }
                    runBatch(many, batchInputs, batch);
                }
            } catch (InterruptedException e) {
                for (Job j : batch) {
                    j.result.completeExceptionally(new ServeException(ServeException.Kind.UNAVAILABLE,
                            "model " + label + " was unloaded"));
                }
                return;
            } catch (Throwable t) {
                for (Job j : batch) {
                    j.result.completeExceptionally(t);
                }
            } finally {
                running.decrementAndGet();
            }
        }
    }

    private boolean expiredOrCancelled(Job j) {
        if (j.result.isDone()) {
            return true;
        }
        if (System.nanoTime() - j.deadlineNanos > 0) {
            j.result.completeExceptionally(new ServeException(ServeException.Kind.TIMEOUT,
                    "the request timed out in the queue of model " + label));
            return true;
        }
        return false;
    }

    private void runOne(InferRequest request, Job job) {
        for (int i = 0; i < job.inputs.size(); i++) {
            request.setInput(i, job.inputs.get(i));
        }
        long start = System.nanoTime();
        try {
            request.startAsync();
            request.await();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "inference of " + label + " failed", e);
            job.result.completeExceptionally(new ServeException(ServeException.Kind.INTERNAL,
                    "inference failed: " + e.getMessage(), e));
            return;
        }
        inferenceNanos.accept(System.nanoTime() - start);
        List<Tensor> outputs = new ArrayList<>(request.outputs().size());
        for (int i = 0; i < request.outputs().size(); i++) {
            outputs.add(request.getOutput(i).copy());
        }
        job.result.complete(outputs);
    }

    private void runBatch(InferRequest request, Tensor[] inputs, List<Job> jobs) {
        for (int i = 0; i < inputs.length; i++) {
            Tensor target = inputs[i];
            int slot = target.size() / target.dim(0);
            for (int j = 0; j < jobs.size(); j++) {
                System.arraycopy(jobs.get(j).inputs.get(i).array(), 0, target.array(), j * slot, slot);
            }
            clear(target, jobs.size() * slot, target.size());
            request.setInput(i, target);
        }
        long start = System.nanoTime();
        try {
            request.startAsync();
            request.await();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "batched inference of " + label + " failed", e);
            for (Job j : jobs) {
                j.result.completeExceptionally(new ServeException(ServeException.Kind.INTERNAL,
                        "inference failed: " + e.getMessage(), e));
            }
            return;
        }
        inferenceNanos.accept(System.nanoTime() - start);
        int outputs = request.outputs().size();
        List<List<Tensor>> results = new ArrayList<>();
        for (int j = 0; j < jobs.size(); j++) {
            results.add(new ArrayList<>(outputs));
        }
        for (int o = 0; o < outputs; o++) {
            Tensor out = request.getOutput(o);
            int[] shape = out.shape().clone();
            int slot = out.size() / shape[0];
            shape[0] = 1;
            for (int j = 0; j < jobs.size(); j++) {
                Tensor part = Tensor.allocate(out.type(), shape);
                System.arraycopy(out.array(), j * slot, part.array(), 0, slot);
                results.get(j).add(part);
            }
        }
        for (int j = 0; j < jobs.size(); j++) {
            jobs.get(j).result.complete(results.get(j));
        }
    }

    private static void clear(Tensor t, int from, int to) {
        if (from >= to) {
            return;
        }
        switch (t.array()) {
            case float[] a -> Arrays.fill(a, from, to, 0f);
            case double[] a -> Arrays.fill(a, from, to, 0d);
            case short[] a -> Arrays.fill(a, from, to, (short) 0);
            case byte[] a -> Arrays.fill(a, from, to, (byte) 0);
            case int[] a -> Arrays.fill(a, from, to, 0);
            case long[] a -> Arrays.fill(a, from, to, 0L);
            default -> throw new IllegalStateException("unexpected storage " + t.array().getClass());
        }
    }

    /**
     * Stops taking jobs and waits up to {@code graceMillis} for the queued and running ones to finish; jobs still
     * queued after that fail with 503.
     */
    void drain(long graceMillis) {
        closed.set(true);
        long until = System.nanoTime() + graceMillis * 1_000_000;
        while (inFlight() > 0 && System.nanoTime() < until) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
    }

    @Override
    public void close() {
        closed.set(true);
        workers.forEach(Thread::interrupt);
        for (Thread t : workers) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Job j;
        while ((j = queue.poll()) != null) {
            j.result.completeExceptionally(new ServeException(ServeException.Kind.UNAVAILABLE,
                    "model " + label + " was unloaded"));
        }
    }
}
