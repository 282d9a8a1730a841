package dev.infero.cpu.parallel;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 *
 * <p>While an inference runs ({@link #begin} … {@link #end}) idle workers keep polling with yields instead of
 * parking after {@link #SPIN_NANOS} (and the caller spins longer for a worker's last task): an inference's parallel
 * sections are separated by single-threaded steps that often take longer than that, and a parked thread costs the
 * next section a wake-up (tens of microseconds in a VM) that a polling one does not. With every worker polling, a
 * hand-off costs about a microsecond, so {@link #threadsFor} then splits steps from a smaller size on
 * ({@link #MIN_NANOS_PER_THREAD_POLLING}). {@link #begin} wakes parked workers, so that they run by the first
 * section, and after {@link #end} they keep polling for {@link #LINGER_NANOS} (0.5 ms), so that inferences run back to
 * back find them polling: that is the longest a pool keeps a core busy after its last inference. As soon as one yield
 * shows that another thread wanted the core, the pool counts as contended (below) and its workers park again.
 * Under {@code -Dinfero.cpu.poolStats=true} the pool counts its hand-offs ({@link #countersReport}).
 *
 * <p>On a loaded machine a worker can lose its core in the middle of a task it claimed, and the caller then waits a
 * whole scheduler slice (milliseconds) for it: 2 threads ran several times slower than 1 there. Workers therefore time
 * each task by the wall clock and by their CPU clock; when they were off their core for more than {@link #STALL_NANOS}
 * (or a yield was slow) {@link #EVIDENCE_MARKS} times within {@link #EVIDENCE_WINDOW_NANOS} (one such slip is the
 * VM's or a JVM thread's, not a busy machine's), the pool counts as contended for {@link #CONTENDED_NANOS} (20 ms,
 * renewed by every stall or slow yield, and
 * doubled up to 500 ms while contention recurs as soon as the hold ends): no
 * polling, no wake-up at {@link #begin}, and steps split from
 * {@link #MIN_NANOS_PER_THREAD_CONTENDED} per thread on (by default {@link #MIN_NANOS_PER_THREAD}, as outside
 * inferences).
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

    /**
     * {@link #MIN_NANOS_PER_THREAD} when every worker is polling inside an inference ({@link #begin}): the hand-off
     * is then a claim (about a microsecond), not a wake-up. {@code -Dinfero.cpu.minPollingTaskMicros} overrides it;
     * it is never above {@link #MIN_NANOS_PER_THREAD}.
     */
    static final long MIN_NANOS_PER_THREAD_POLLING = Math.min(MIN_NANOS_PER_THREAD,
            Long.getLong("infero.cpu.minPollingTaskMicros", 10) * 1000);

    /**
     * How long a worker keeps polling (yielding between polls) inside an inference before it parks anyway: longer
     * than the single-threaded stretches of small models, short enough that a request stuck in a long one-thread
     * step (a reference kernel) does not keep a core busy. {@code -Dinfero.cpu.pollMicros} overrides it (0: park
     * after {@link #SPIN_NANOS} as outside inferences).
     */
    private static final long POLL_NANOS = Long.getLong("infero.cpu.pollMicros", 1000) * 1000;

    /**
     * How long idle workers keep polling after an inference ends ({@link #end}) before they park, unless the pool
     * counts as contended: inferences run back to back (a benchmark, a video stream, a batch) then find the workers
     * polling at their first parallel section instead of paying it a wake-up, as ONNX Runtime's workers, which spin
     * for milliseconds after each piece of work. This is also the bound on how long a pool keeps a core busy after
     * its last inference (a polling worker yields its core to any thread that wants it, and parks at once when a
     * yield shows one did). {@code -Dinfero.cpu.lingerMicros} overrides it (0: park when the inference ends).
     */
    static final long LINGER_NANOS = Long.getLong("infero.cpu.lingerMicros", 500) * 1000;

    /**
     * Whether {@link #begin} wakes parked workers (on a pool that does not count as contended), so that the first
     * parallel section of an inference that follows a pause finds them running rather than waking them itself (tens
     * of microseconds in a VM). {@code -Dinfero.cpu.wakeAtBegin=false} turns it off.
     */
    static final boolean WAKE_AT_BEGIN = !"false".equals(System.getProperty("infero.cpu.wakeAtBegin"));

    /**
     * How long an idle worker spins (without yielding) inside an inference before it polls with yields, in
     * nanoseconds: {@code -Dinfero.cpu.spinMicros}, by default {@link #SPIN_NANOS} as outside inferences.
     */
    static final long HOT_SPIN_NANOS = Long.getLong("infero.cpu.spinMicros", SPIN_NANOS / 1000) * 1000;

    /** A worker off its core for longer than this during one task is a stall: see noteLost. */
    private static final long STALL_NANOS = 50_000;
    /**
     * How long the pool counts as contended after a stall or a slow yield, at first: a passing burst of another
     * thread's work (a compiler thread; ONNX Runtime's workers, which spin 10–20 ms after each of its runs when
     * benchmarked alternately with Infero) then costs the polling only this long. It was a fixed 500 ms: a single slow
     * yield turned polling off for most of a 0.6 s benchmark round. On a machine that stays busy, contention found
     * again within a hold's length after the last hold ended doubles the hold, up to {@link #MAX_CONTENDED_NANOS}:
     * there every return to polling costs whole inferences (a polling worker that lost its core is not woken by the
     * next section, and joins it milliseconds late), so the pool tries it ever more rarely. {@code
     * -Dinfero.cpu.contendedMillis} overrides the first hold.
     */
    static final long CONTENDED_NANOS = Long.getLong("infero.cpu.contendedMillis", 20) * 1_000_000;
    /** The longest hold of the contended state (see {@link #CONTENDED_NANOS}). */
    static final long MAX_CONTENDED_NANOS = Math.max(CONTENDED_NANOS, 500_000_000);
    /** The workers' CPU clocks (thread CPU time; the JVM supports it on Linux, where the pool runs). */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    /**
     * {@link #MIN_NANOS_PER_THREAD} while the pool is contended: by default the same as outside inferences. Raising it
     * (1 ms: only steps so long that a stall is small next to them split) removed the stalls of small models on a
     * loaded machine but cost medium and large ones more: there a second thread also doubles the process's share of
     * the busy cores (docs/performance.md, "Thread hand-off and contention"). {@code
     * -Dinfero.cpu.minContendedTaskMicros} overrides it.
     */
    static final long MIN_NANOS_PER_THREAD_CONTENDED = Math.max(MIN_NANOS_PER_THREAD,
            Long.getLong("infero.cpu.minContendedTaskMicros", 0) * 1000);

    /** How long the caller spins for a worker's last task inside an inference before it parks. */
    private static final long CALLER_SPIN_NANOS = 50_000;

    /**
     * Stalls and slow yields within {@link #EVIDENCE_WINDOW_NANOS} that make the pool count as contended (see
     * noteSlip), by default; {@code -Dinfero.cpu.contendedEvidence=N} when a pool is made ({@code 1}: every one, as
     * before).
     */
    static final int EVIDENCE_MARKS = 3;
    /** The window of {@link #EVIDENCE_MARKS}. */
    static final long EVIDENCE_WINDOW_NANOS = 50_000_000;

    /** A yield that takes longer than this gave the core to another thread: the machine is busy (see yieldOnce). */
    private static final long BUSY_YIELD_NANOS = 20_000;

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
    /** Between {@link #begin(ThreadBinding)} and {@link #end}: what each worker binds around its rounds, or null. */
    private volatile ThreadBinding binding;
    /** See {@link #maxThreads}: set and read by the calling thread only. */
    private int limit = Integer.MAX_VALUE;
    /** Between {@link #begin} and {@link #end}: workers poll instead of parking. */
    private volatile boolean active;
    /** {@link System#nanoTime} until which idle workers keep polling after the last inference ({@link #end}). */
    private volatile long lingerUntil = System.nanoTime();
    /** {@link System#nanoTime} until which the pool counts as contended (see noteLost). */
    private volatile long contendedUntil = System.nanoTime();
    /** The current hold of the contended state: {@link #CONTENDED_NANOS}, doubled while contention recurs. */
    private volatile long holdNanos = CONTENDED_NANOS;
    /** {@link #EVIDENCE_MARKS} or {@code -Dinfero.cpu.contendedEvidence} as the pool was made. */
    private final int evidenceMarks = Math.max(1, Integer.getInteger("infero.cpu.contendedEvidence", EVIDENCE_MARKS));
    /** When the current window of evidence (see noteSlip) started, and the stalls and slow yields in it. */
    private volatile long evidenceStart = System.nanoTime();
    private volatile int evidence;
    /** Stalls and slow yields so far (racy increments: only compared for a change, see contendedInInference). */
    private volatile long contentionMarks;
    /** {@link #contentionMarks} at {@link #begin} (caller's thread only). */
    private long marksAtBegin;
    /** The hand-off counters under {@code -Dinfero.cpu.poolStats=true}, else {@code null}. */
    private final PoolCounters counters;
    /** With counters: when the current round started (published by the round state's volatile write). */
    private long roundStart;
    /** Workers {@link #begin} has woken (caller's thread only; for tests). */
    int beginWakes;
    /** With counters: whether no round has started since {@link #begin} (caller's thread only). */
    private boolean firstRound;

    /** A pool that runs work on {@code threads} threads in all: the caller plus {@code threads - 1} workers. */
    public WorkerPool(int threads, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        workers = new Thread[threads - 1];
        parked = new AtomicIntegerArray(workers.length);
        counters = PoolCounters.ENABLED && threads > 1 ? new PoolCounters(name) : null;
        for (int i = 0; i < workers.length; i++) {
            int index = i;
            Thread t = new Thread(() -> workLoop(index), name + "-worker-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** Whether every step is to split, however small ({@code -Dinfero.cpu.minTaskMicros=0}: tests of the splits). */
    public static boolean splitsEverything() {
        return MIN_NANOS_PER_THREAD == 0;
    }

    /**
     * Under {@code -Dinfero.cpu.poolStats=true}, every pool's hand-off counters so far (one line per pool that ran a
     * parallel section), which are then reset; else an empty string. For harnesses; the same lines are printed to
     * standard error when the JVM exits.
     */
    public static String countersReport() {
        return PoolCounters.ENABLED ? PoolCounters.reportAllAndReset() : "";
    }

    /**
     * Whether the pool counts as contended now (another process took a worker's core in the middle of a task, or a
     * polling worker's yield was slow, within the current hold, {@link #CONTENDED_NANOS} or more): a split may then
     * cost the caller a stalled worker's task, not only a claim.
     */
    public boolean contended() {
        return System.nanoTime() - contendedUntil < 0;
    }

    /**
     * Whether the pool counts as contended now or did at any time since {@link #begin}: a stall or a slow yield
     * happened during the inference. Unlike {@link #contended} at its end, this does not depend on how long the
     * contended state is held.
     */
    public boolean contendedInInference() {
        return contended() || contentionMarks != marksAtBegin;
    }

    /** Threads that take part in {@link #parallelFor}, the caller included. */
    public int threads() {
        return workers.length + 1;
    }

    /**
     * The most threads the current step may split across: {@link #threads} unless the request running on the pool
     * limited it ({@link #limitThreads}), e.g. to 1 for a step measured to run faster whole. Scratch memory is still
     * sized by {@link #threads}.
     */
    public int maxThreads() {
        return Math.min(limit, threads());
    }

    /** Limits the splits of the steps that follow to {@code threads} threads (the caller's thread only). */
    public void limitThreads(int threads) {
        limit = Math.max(1, threads);
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
        if (workers.length == 0 || limit == 1) {
            return 1;
        }
        long min = MIN_NANOS_PER_THREAD;
        if (min != 0 && System.nanoTime() - contendedUntil < 0) {
            min = Math.max(min, MIN_NANOS_PER_THREAD_CONTENDED);
        } else if (active && allPolling()) {
            min = MIN_NANOS_PER_THREAD_POLLING;
        }
        return threadsFor(nanos, min, maxThreads());
    }

    /**
     * A worker lost its core for {@code lostNanos} in the middle of a task (its wall time minus its CPU time): another
     * process had the core, and the caller waited for that task all along, which on a loaded machine costs whole
     * scheduler slices (milliseconds) per section. The pool then counts as contended for {@link #CONTENDED_NANOS}: no
     * polling, and the split threshold of {@link #MIN_NANOS_PER_THREAD_CONTENDED}. Afterwards it tries again.
     */
    private void noteLost(long lostNanos) {
        if (lostNanos > STALL_NANOS) {
            noteSlip();
        }
    }

    /**
     * A stall or a slow yield: evidence that another thread had the core. The pool counts as contended
     * ({@link #markContended}) once {@link #EVIDENCE_MARKS} ({@code evidenceMarks}) of them fall within
     * {@link #EVIDENCE_WINDOW_NANOS}, or at once while it already is (renewing the hold). A single one is not
     * enough: on an idle 2-vCPU VM the hypervisor, a compiler or a GC thread cost one now and then (about 20 a second
     * on the Zen 5 machine, light ResNet-50 at 2 threads: the pool counted as contended 86 % of the time and each of its 53 sections per
     * inference waited for a parked worker, 20.9 against 18.7 ms median without), while a process that competes for
     * the cores preempts a thread every scheduler slice (a few milliseconds), several per window. Racy counters:
     * a heuristic, either write wins. Package-private for tests.
     */
    void noteSlip() {
        contentionMarks++;
        long now = System.nanoTime();
        if (now - evidenceStart > EVIDENCE_WINDOW_NANOS) {
            evidenceStart = now;
            evidence = 0;
        }
        evidence++;
        if (evidence >= evidenceMarks || now - contendedUntil < 0) {
            markContended();
        }
    }

    /**
     * The pool counts as contended from now for the current hold (see {@link #CONTENDED_NANOS}): no polling, the usual
     * split threshold. Stalls and slow yields of several workers may race here: the hold is a heuristic, either write
     * wins. Package-private for tests.
     */
    void markContended() {
        long now = System.nanoTime();
        long sinceHold = now - contendedUntil;
        long hold = holdNanos;
        if (sinceHold >= 0) {
            // A new spell of contention: soon after the last one ended the machine is still busy, else it was a burst.
            hold = nextHold(hold, sinceHold);
            holdNanos = hold;
            if (counters != null) {
                counters.add(PoolCounters.SPELLS, 1);
                counters.add(PoolCounters.SPELL_HOLD_NANOS, hold);
            }
        }
        contendedUntil = now + hold;
        active = false;
        lingerUntil = now;
    }

    /**
     * The hold of a spell of contention that starts {@code sinceHold} nanoseconds after the last hold, {@code hold}
     * long, ended: twice that (at most {@link #MAX_CONTENDED_NANOS}) when it comes back within one hold's length,
     * else {@link #CONTENDED_NANOS} again.
     */
    static long nextHold(long hold, long sinceHold) {
        return sinceHold < hold ? Math.min(2 * hold, MAX_CONTENDED_NANOS) : CONTENDED_NANOS;
    }

    /** Threads for {@code nanos} of one-thread work when each must get at least {@code minPerThread} (0: all). */
    static int threadsFor(long nanos, long minPerThread, int threads) {
        long worth = minPerThread == 0 ? Long.MAX_VALUE : nanos / minPerThread;
        return (int) Math.clamp(worth, 1, threads);
    }

    /** Whether no worker is parked (each is polling or running a task). */
    boolean allPolling() {
        for (int i = 0; i < workers.length; i++) {
            if (parked.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * An inference starts on this pool: idle workers keep polling between its parallel sections until {@link #end}
     * (and {@link #LINGER_NANOS} after it). Calls must pair up ({@code try/finally}). Parked workers are woken here
     * ({@link #WAKE_AT_BEGIN}), so that they run by the first section; not on a contended pool, where a woken thread
     * may preempt the caller on its own core, which costs a scheduler slice.
     */
    public void begin() {
        begin(null);
    }

    /**
     * Per-thread state the tasks of one inference read through the running thread (a request's
     * {@code jit.HeapSegments} tables): thread {@code t} of the pool ({@code 0} the caller, {@code 1..} the workers)
     * has its own. The caller binds its own for the inference; each worker calls {@link #enter} before it claims
     * tasks of a round and {@link #exit} after, so that no worker keeps a request's state past its tasks.
     */
    public interface ThreadBinding {
        /** Binds thread {@code thread}'s state to the calling thread. */
        void enter(int thread);

        /** Unbinds what {@link #enter} bound. */
        void exit(int thread);
    }

    /** {@link #begin()}, with {@code binding} ({@code null}: none) entered by each worker around its rounds. */
    public void begin(ThreadBinding binding) {
        this.binding = binding;
        marksAtBegin = contentionMarks;
        if (counters != null) {
            counters.add(PoolCounters.INFERENCES, 1);
            firstRound = true;
        }
        if (workers.length == 0 || POLL_NANOS == 0 || System.nanoTime() - contendedUntil < 0) {
            return;
        }
        active = true;
        if (WAKE_AT_BEGIN) {
            for (int i = 0; i < workers.length; i++) {
                if (parked.get(i) != 0) {
                    LockSupport.unpark(workers[i]);
                    beginWakes++;
                }
            }
        }
    }

    /**
     * The inference begun by {@link #begin} is over: idle workers keep polling for {@link #LINGER_NANOS} (unless the
     * pool counts as contended), in case another inference follows, then park.
     */
    public void end() {
        binding = null;
        if (active && LINGER_NANOS > 0) {
            lingerUntil = System.nanoTime() + LINGER_NANOS;
        }
        active = false;
    }

    /** Work cut into items that threads claim one at a time: see {@link #parallelItems}. */
    @FunctionalInterface
    public interface ItemTask {
        /** Runs item {@code item} on the thread that owns scratch slot {@code slot}. */
        void run(int item, int slot);
    }

    /** The items of the current {@link #parallelItems} call: the task, how many, and the next unclaimed one. */
    private ItemTask itemTask;
    private int itemCount;
    private final AtomicInteger nextItem = new AtomicInteger();
    /** Round task {@code slot} of {@link #parallelItems}: claims items until none is left. */
    private final IntConsumer claimItems = slot -> {
        ItemTask task = itemTask;
        int count = itemCount;
        for (int i = nextItem.getAndIncrement(); i < count; i = nextItem.getAndIncrement()) {
            task.run(i, slot);
        }
    };

    /**
     * Runs {@code task.run(item, slot)} for every item in [0, items) on at most {@code slots} threads (the caller
     * included), each thread with its own {@code slot} in [0, slots) for scratch memory. Items are claimed one at a
     * time rather than dealt out in fixed shares: a thread that finishes early, or a worker that starts late, takes
     * what is left, so uneven items or a late hand-off cost at most one item's time, not half the work. Cut the work
     * into a few items per thread: each claim is an atomic increment on a shared counter.
     */
    public void parallelItems(int slots, int items, ItemTask task) {
        if (items <= 0) {
            return;
        }
        int threads = Math.min(Math.min(slots, items), threads());
        if (threads <= 1) {
            for (int i = 0; i < items; i++) {
                task.run(i, 0);
            }
            return;
        }
        itemTask = task;
        itemCount = items;
        nextItem.set(0);
        // round() publishes these with its volatile write of the round state, before any slot can be claimed.
        round(threads, claimItems);
        itemTask = null;
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
        PoolCounters c = counters;
        if (c != null) {
            c.add(PoolCounters.ROUNDS, 1);
            c.add(PoolCounters.TASKS, tasks);
            c.add(PoolCounters.ACTIVE_ROUNDS, active ? 1 : 0);
            c.add(PoolCounters.CONTENDED_ROUNDS, contended() ? 1 : 0);
            c.add(PoolCounters.PARKED_STARTS, allPolling() ? 0 : 1);
            c.add(PoolCounters.FIRST_ROUNDS, firstRound ? 1 : 0);
            c.add(PoolCounters.FIRST_PARKED_STARTS, firstRound && !allPolling() ? 1 : 0);
            firstRound = false;
            roundStart = System.nanoTime();
        }
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
        // Inside an inference the caller spins longer before it parks: a timed park's wake-up costs tens of
        // microseconds. It never yields: on a busy machine that hands its core to another process for a whole slice.
        long spin = active ? CALLER_SPIN_NANOS : SPIN_NANOS;
        while (done.get() < tasks) {
            if (System.nanoTime() - start < spin) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 20_000);
            }
        }
        if (c != null) {
            c.add(PoolCounters.CALLER_WAIT_NANOS, System.nanoTime() - start);
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
        boolean worker = Thread.currentThread() != caller;
        int first = claim(generation);
        PoolCounters c = counters;
        if (c != null && worker) {
            c.look(System.nanoTime() - roundStart, first >= 0);
        }
        for (int i = first; i >= 0; i = claim(generation)) {
            if (c != null && worker) {
                c.add(PoolCounters.WORKER_TASKS, 1);
            }
            // A worker times its task by the wall clock and by its CPU clock: the difference is time it was off its
            // core, which the caller spent waiting (see noteLost).
            long wall = worker ? System.nanoTime() : 0;
            long cpu = worker ? CPU.getCurrentThreadCpuTime() : 0;
            try {
                body.accept(i);
            } catch (Throwable t) {
                failure = t;
            }
            int count = (int) (state.get() >>> TASK_BITS & TASK_MASK);
            boolean last = done.incrementAndGet() == count;
            if (worker) {
                // After the count: the caller, waiting for this task, need not also wait for the clocks.
                if (last) {
                    LockSupport.unpark(caller);
                }
                noteLost(System.nanoTime() - wall - (CPU.getCurrentThreadCpuTime() - cpu));
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
                while (state.get() >>> 32 == seen && !closed
                        && (pollOnce(start, hot() ? HOT_SPIN_NANOS : SPIN_NANOS) || hot() && yieldOnce(start))) {
                    // pollOnce or yieldOnce waited
                }
                parked.set(index, 1);
                // A round that starts now unparks this worker (round() checks the flag after publishing the round).
                if (state.get() >>> 32 == seen && !closed) {
                    if (counters != null) {
                        counters.add(PoolCounters.SPIN_PARKS, 1);
                    }
                    LockSupport.park(this);
                }
                parked.set(index, 0);
                continue;
            }
            seen = generation;
            // Read after the generation: this round's body or a later one's, whose tasks claim() then refuses.
            IntConsumer b = body;
            if (b != null) {
                ThreadBinding tb = binding;
                if (tb == null) {
                    runClaimed(generation, b);
                } else {
                    tb.enter(index + 1);
                    try {
                        runClaimed(generation, b);
                    } finally {
                        tb.exit(index + 1);
                    }
                }
            } else if (counters != null) {
                counters.look(System.nanoTime() - roundStart, false);
            }
        }
    }

    /** One wait step of a thread that started waiting at {@code start}: a spin, or false once it is time to park. */
    private static boolean pollOnce(long start, long spinNanos) {
        if (System.nanoTime() - start >= spinNanos) {
            return false;
        }
        Thread.onSpinWait();
        return true;
    }

    /** Whether idle workers keep polling: inside an inference, or lingering after one. */
    private boolean hot() {
        return active || LINGER_NANOS > 0 && System.nanoTime() - lingerUntil < 0;
    }

    /**
     * One wait step inside an inference, after {@link #pollOnce} has spun its time: a yield, or false once
     * {@link #POLL_NANOS} have passed or once a yield took longer than {@link #BUSY_YIELD_NANOS}. On an otherwise idle
     * core a yield returns at once, so polling costs nothing anyone else needed; a slow yield means another thread
     * wanted the core (a loaded machine), and then the waiting thread parks as outside inferences, so that a pool does
     * not keep a busy machine's cores from the threads that have work.
     */
    private boolean yieldOnce(long start) {
        long before = System.nanoTime();
        if (before - start >= POLL_NANOS) {
            return false;
        }
        Thread.yield();
        if (System.nanoTime() - before >= BUSY_YIELD_NANOS) {
            // A polling thread also loses the scheduler's wake-up preference: on a busy machine a parked worker,
            // woken by the next section, starts sooner than one that keeps yielding.
            noteSlip();
            return false;
        }
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
