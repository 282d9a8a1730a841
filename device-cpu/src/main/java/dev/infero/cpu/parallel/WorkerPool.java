package dev.infero.cpu.parallel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed set of worker threads that split one kernel's work: {@link #parallelFor} hands out task indices to the
 * workers and the calling thread, and returns when all are done. Threads are created once, with the pool, never per
 * inference; idle workers spin for a few microseconds, then park. One pool serves one stream of inferences at a
 * time (calls must not overlap).
 */
public final class WorkerPool implements AutoCloseable {
    /**
     * How long a waiting thread spins before it parks: about the gap between one inference's parallel sections, since
     * waking a parked thread costs tens of microseconds. Not longer: on a loaded machine a thread that keeps spinning
     * loses the scheduler's wake-up preference, and the thread it waits for may be the one it keeps off the core.
     */
    private static final long SPIN_NANOS = 10_000;

    private final Thread[] workers;
    private final AtomicInteger nextTask = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile IntConsumer body;
    private volatile int taskCount;
    private volatile long generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;

    /** A pool that runs work on {@code threads} threads in all: the caller plus {@code threads - 1} workers. */
    public WorkerPool(int threads, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::workLoop, name + "-worker-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** Threads that take part in {@link #parallelFor}, the caller included. */
    public int threads() {
        return workers.length + 1;
    }

    /** Runs {@code body.accept(i)} for every i in [0, tasks) across the pool; rethrows the first failure. */
    public void parallelFor(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || workers.length == 0) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        this.body = body;
        this.taskCount = tasks;
        this.failure = null;
        this.caller = Thread.currentThread();
        nextTask.set(0);
        pending.set(workers.length);
        generation++;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        runTasks(body, tasks);
        // The workers are usually a few microseconds behind: spin for them before parking.
        long start = System.nanoTime();
        while (pending.get() > 0) {
            if (!pollOnce(start)) {
                LockSupport.parkNanos(this, 20_000);
            }
        }
        this.body = null;
        Throwable f = failure;
        if (f instanceof RuntimeException r) {
            throw r;
        }
        if (f instanceof Error e) {
            throw e;
        }
    }

    private void runTasks(IntConsumer body, int tasks) {
        for (int i = nextTask.getAndIncrement(); i < tasks; i = nextTask.getAndIncrement()) {
            try {
                body.accept(i);
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    private void workLoop() {
        long seen = 0;
        while (!closed) {
            if (generation == seen) {
                // Spin before parking: inference issues many short parallel sections back to back, separated by
                // single-threaded steps.
                long start = System.nanoTime();
                while (generation == seen && !closed && pollOnce(start)) {
                    // pollOnce waited
                }
                if (generation == seen) {
                    LockSupport.park(this);
                }
                continue;
            }
            seen = generation;
            IntConsumer b = body;
            if (b != null) {
                runTasks(b, taskCount);
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** One wait step of a thread that started waiting at {@code start}: a spin, or false once it is time to park. */
    private static boolean pollOnce(long start) {
        if (System.nanoTime() - start >= SPIN_NANOS) {
            return false;
        }
        Thread.onSpinWait();
        return true;
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
