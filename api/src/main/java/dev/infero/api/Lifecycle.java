package dev.infero.api;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Open/closed state of an API object with the inferences running on it, as ONNX Runtime's Java API has it: any use
 * after {@code close()} throws {@link IllegalStateException} naming the object, and closing waits for inferences in
 * flight to finish before the resources under them (worker threads, generated code) are released. A thread closing
 * the object from inside one of its own inferences (a callback) does not wait for itself.
 */
final class Lifecycle {
    /** How long close() waits for inferences in flight before it releases the resources anyway. */
    private static final long DRAIN_SECONDS = 60;

    private final String what;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    /**
     * The threads running an inference of this object on themselves, once per inference (guarded by {@link #lock}).
     * Not a {@code ThreadLocal}: its first {@code get()} on each thread for each new object (every model compiled
     * again in a server) took a branch that HotSpot had compiled {@code infer()} without, so each reload
     * deoptimised the inference path of every model (JFR {@code jdk.Deoptimization}, unstable_if in
     * {@code ThreadLocalMap.getEntry} under {@code Lifecycle.enter}).
     */
    private Thread[] ownThreads = new Thread[4];
    private int ownCount;
    private volatile boolean closed;
    private int inFlight;

    Lifecycle(String what) {
        this.what = what;
    }

    boolean isClosed() {
        return closed;
    }

    /** Throws if closed; {@code action} says what the caller tried. */
    void check(String action) {
        if (closed) {
            throw new IllegalStateException(what + " is closed: cannot " + action);
        }
    }

    /**
     * Registers an inference starting on this object; throws if it is closed. Pair with {@link #exit(boolean)} on any
     * thread; {@code onThisThread} when it runs (and ends) on the calling thread, so that a close() from inside it
     * does not wait for it.
     */
    void enter(String action, boolean onThisThread) {
        lock.lock();
        try {
            check(action);
            inFlight++;
            if (onThisThread) {
                if (ownCount == ownThreads.length) {
                    ownThreads = Arrays.copyOf(ownThreads, ownCount * 2);
                }
                ownThreads[ownCount++] = Thread.currentThread();
            }
        } finally {
            lock.unlock();
        }
    }

    void exit(boolean onThisThread) {
        lock.lock();
        try {
            inFlight--;
            if (onThisThread) {
                Thread me = Thread.currentThread();
                for (int i = ownCount - 1; i >= 0; i--) {
                    if (ownThreads[i] == me) {
                        ownThreads[i] = ownThreads[--ownCount];
                        ownThreads[ownCount] = null;
                        break;
                    }
                }
            }
            idle.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Marks the object closed (later calls throw) and waits until no other thread's inference is in flight. Returns
     * whether this call closed it (false when it was closed already).
     */
    boolean close() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
            Thread me = Thread.currentThread();
            int own = 0;
            for (int i = 0; i < ownCount; i++) {
                own += ownThreads[i] == me ? 1 : 0;
            }
            while (inFlight > own) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                idle.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } finally {
            lock.unlock();
        }
    }
}
