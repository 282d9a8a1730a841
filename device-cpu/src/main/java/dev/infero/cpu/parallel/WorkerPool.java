package dev.infero.cpu.parallel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed set of worker threads that split one kernel's work: {@link #parallelFor} hands out task indices to the
 * workers and the calling thread, and returns when all are done. Threads are created once, with the pool, never per
 * inference; idle workers spin for a few microseconds, then park. One pool serves one stream of inferences at a
 * time (calls must not overlap).
 *
 * <p>Tasks are claimed, never assigned: the caller claims tasks too and waits only for tasks a worker has claimed.
 * A worker that wakes late (parked, or descheduled on a busy machine) finds every task taken and does nothing, so a
 * section never waits for a thread that has not started, and splitting costs at most the claims, never a wake-up.
 * Kernels ask {@link #threadsFor} how many tasks their work is worth: small steps run whole on the calling thread.
 */
public final class WorkerPool implements AutoCloseable {
    /**
     * How long a waiting thread spins before it parks: about the gap between one inference's parallel sections, since
     * waking a parked thread costs tens of microseconds. Not longer: on a loaded machine a thread that keeps spinning
     * loses the scheduler's wake-up preference, and the thread it waits for may be the one it keeps off the core.
     */
    private static final long SPIN_NANOS = 10_000;

    /**
     * One thread's share of a step below which splitting the step costs more than it saves, in estimated nanoseconds
     * of one-thread work ({@link #estimatedNanos}). Measured on a 2-core Zen 4 (docs/performance.md, "Worker hand-off"):
     * a hand-off to a spinning worker costs 1–3 µs (the claim, plus the other core's cache lines of what the worker
     * wrote, which the next step reads back), to a parked one 20–60 µs; a step is split only when each thread gets
     * several times that. {@code -Dinfero.cpu.minTaskMicros} overrides it (0 splits everything, as before).
     */
    static final long MIN_NANOS_PER_THREAD = Long.getLong("infero.cpu.minTaskMicros", 30) * 1000;

    /** One-thread FLOP rate assumed for compute-bound work: the GEMM kernels' typical ~60 GFLOPS (per ns: 60). */
    private static final long FLOPS_PER_NANO = 60;
    /** Bytes per nanosecond assumed for memory-bound work (reads plus writes, mostly from L2). */
    private static final long BYTES_PER_NANO = 20;

    private static final int TASK_BITS = 16;
    private static final long TASK_MASK = (1L << TASK_BITS) - 1;
    /** The most tasks one round can hand out: the claim state packs the count and the next index in 16 bits each. */
    private static final int MAX_ROUND_TASKS = (int) TASK_MASK;

    private final Thread[] workers;
    /**
     * Per worker, whether it is parked (or about to park): only those are unparked when a round starts, so a
     * spinning worker costs the caller no system call, and the woken thread cannot preempt the caller at every round.
     */
    private final AtomicIntegerArray parked;
    /**
     * The current round: generation (high 32 bits), task count (16 bits), next unclaimed task (low 16 bits). A task is
     * claimed by a compare-and-set that also checks the generation, so a thread can never claim a task of a round
     * other than the one whose body it read.
     */
    private final AtomicLong state = new AtomicLong();
    /** Tasks of the current round that have finished. */
    private final AtomicInteger done = new AtomicInteger();
    private volatile IntConsumer body;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;

    /** A pool that runs work on {@code threads} threads in all: the caller plus {@code threads - 1} workers. */
    public WorkerPool(int threads, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        workers = new Thread[threads - 1];
        parked = new AtomicIntegerArray(workers.length);
        for (int i = 0; i < workers.length; i++) {
            int index = i;
            Thread t = new Thread(() -> workLoop(index), name + "-worker-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** Threads that take part in {@link #parallelFor}, the caller included. */
    public int threads() {
        return workers.length + 1;
    }

    /**
     * Estimated one-thread time of work that does about {@code flops} floating-point operations (multiply and add
     * counted apart) and moves about {@code bytes} of memory, in nanoseconds: the unit of {@link #threadsFor}.
     */
    public static long estimatedNanos(long flops, long bytes) {
        return flops / FLOPS_PER_NANO + bytes / BYTES_PER_NANO;
    }

    /**
     * How many threads a step of about {@code flops} operations over {@code bytes} of memory should use: 1 (run it on
     * the calling thread) unless every thread gets a share that pays for its hand-off, and at most {@link #threads}.
     */
    public int threadsFor(long flops, long bytes) {
        return threadsFor(estimatedNanos(flops, bytes));
    }

    /** {@link #threadsFor(long, long)} for an already estimated one-thread time in nanoseconds. */
    public int threadsFor(long nanos) {
        if (workers.length == 0) {
            return 1;
        }
        long worth = MIN_NANOS_PER_THREAD == 0 ? Long.MAX_VALUE : nanos / MIN_NANOS_PER_THREAD;
        return (int) Math.clamp(worth, 1, threads());
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
        if (tasks > MAX_ROUND_TASKS) {
            for (int base = 0; base < tasks; base += MAX_ROUND_TASKS) {
                int first = base;
                round(Math.min(MAX_ROUND_TASKS, tasks - base), i -> body.accept(first + i));
            }
            return;
        }
        round(tasks, body);
    }

    private void round(int tasks, IntConsumer body) {
        this.failure = null;
        this.caller = Thread.currentThread();
        this.body = body;
        done.set(0);
        long generation = (state.get() >>> 32) + 1 & 0xFFFF_FFFFL;
        // The volatile write publishes the body, the failure reset and the count before any claim can succeed.
        state.set(generation << 32 | (long) tasks << TASK_BITS);
        // Dekker-style with workLoop: either the worker sees the new generation before it parks, or this sees it
        // parked (both are volatile writes followed by volatile reads).
        for (int i = 0; i < workers.length; i++) {
            if (parked.get(i) != 0) {
                LockSupport.unpark(workers[i]);
            }
        }
        runClaimed(generation, body);
        // Only tasks that a worker claimed are still running: spin for them, then park.
        long start = System.nanoTime();
        while (done.get() < tasks) {
            if (!pollOnce(start)) {
                LockSupport.parkNanos(this, 20_000);
            }
        }
        this.body = null;
        Throwable f = failure;
        if (f != null) {
            failure = null;
            if (f instanceof RuntimeException r) {
                throw r;
            }
            if (f instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(f);
        }
    }

    /** Claims and runs tasks of round {@code generation} until none is left; counts each finished one. */
    private void runClaimed(long generation, IntConsumer body) {
        for (int i = claim(generation); i >= 0; i = claim(generation)) {
            try {
                body.accept(i);
            } catch (Throwable t) {
                failure = t;
            }
            int count = (int) (state.get() >>> TASK_BITS & TASK_MASK);
            if (done.incrementAndGet() == count && Thread.currentThread() != caller) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** The next unclaimed task of round {@code generation}, or -1 when that round has none left (or is over). */
    private int claim(long generation) {
        while (true) {
            long s = state.get();
            int next = (int) (s & TASK_MASK);
            if (s >>> 32 != generation || next >= (int) (s >>> TASK_BITS & TASK_MASK)) {
                return -1;
            }
            if (state.compareAndSet(s, s + 1)) {
                return next;
            }
        }
    }

    private void workLoop(int index) {
        long seen = 0;
        while (!closed) {
            long generation = state.get() >>> 32;
            if (generation == seen) {
                // Spin before parking: inference issues many short parallel sections back to back, separated by
                // single-threaded steps.
                long start = System.nanoTime();
                while (state.get() >>> 32 == seen && !closed && pollOnce(start)) {
                    // pollOnce waited
                }
                parked.set(index, 1);
                if (state.get() >>> 32 == seen && !closed) {
                    LockSupport.park(this);
                }
                parked.set(index, 0);
                continue;
            }
            seen = generation;
            // Read after the generation: this round's body or a later one's, whose tasks claim() then refuses.
            IntConsumer b = body;
            if (b != null) {
                runClaimed(generation, b);
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
