package dev.infero.cpu.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
    @Test
    void everyTaskRunsExactlyOnceAcrossManyRounds() {
        try (WorkerPool pool = new WorkerPool(3, "test")) {
            for (int round = 0; round < 2000; round++) {
                int tasks = 1 + round % 17;
                AtomicIntegerArray hits = new AtomicIntegerArray(tasks);
                pool.parallelFor(tasks, hits::incrementAndGet);
                for (int i = 0; i < tasks; i++) {
                    assertEquals(1, hits.get(i), "round " + round + " task " + i);
                }
            }
        }
    }

    @Test
    void workersEnterTheirBindingAroundRoundsOfAnInferenceOnly() {
        try (WorkerPool pool = new WorkerPool(3, "test")) {
            int[] entered = new int[3];
            AtomicIntegerArray inside = new AtomicIntegerArray(3);
            AtomicBoolean wrong = new AtomicBoolean();
            ThreadLocal<Integer> bound = new ThreadLocal<>();
            WorkerPool.ThreadBinding binding = new WorkerPool.ThreadBinding() {
                @Override
                public void enter(int thread) {
                    if (thread < 1 || thread > 2 || inside.getAndIncrement(thread) != 0) {
                        wrong.set(true);
                    }
                    synchronized (entered) {
                        entered[thread]++;
                    }
                    bound.set(thread);
                }

                @Override
                public void exit(int thread) {
                    if (inside.decrementAndGet(thread) != 0 || bound.get() != thread) {
                        wrong.set(true);
                    }
                    bound.remove();
                }
            };
            AtomicBoolean unbound = new AtomicBoolean();
            for (int inference = 0; inference < 200; inference++) {
                pool.begin(binding);
                try {
                    for (int round = 0; round < 5; round++) {
                        AtomicBoolean workerRan = new AtomicBoolean();
                        pool.parallelFor(2, i -> {
                            if (Thread.currentThread().getName().contains("worker")) {
                                unbound.compareAndSet(false, bound.get() == null);
                                workerRan.set(true);
                            } else {
                                // The caller waits, so that the other task goes to a worker.
                                long start = System.nanoTime();
                                while (!workerRan.get() && System.nanoTime() - start < 10_000_000_000L) {
                                    Thread.onSpinWait();
                                }
                            }
                        });
                    }
                } finally {
                    pool.end();
                }
                // Outside an inference (no binding), workers run rounds unbound.
                pool.parallelFor(8, i -> {
                    if (bound.get() != null) {
                        wrong.set(true);
                    }
                });
            }
            assertTrue(!wrong.get() && !unbound.get(), "binding entered twice, on the wrong thread or not at all");
            synchronized (entered) {
                assertEquals(0, entered[0], "the caller binds its own");
                assertTrue(entered[1] + entered[2] >= 200 * 5, "workers entered " + entered[1] + " + " + entered[2]);
            }
        }
    }

    @Test
    void claimedItemsRunOnceEachAndNoTwoThreadsShareASlot() {
        try (WorkerPool pool = new WorkerPool(3, "test")) {
            for (int round = 0; round < 2000; round++) {
                int items = 1 + round % 23;
                int slots = 1 + round % 4;
                AtomicIntegerArray hits = new AtomicIntegerArray(items);
                AtomicIntegerArray busy = new AtomicIntegerArray(slots);
                AtomicBoolean shared = new AtomicBoolean();
                pool.parallelItems(slots, items, (item, slot) -> {
                    if (busy.incrementAndGet(slot) != 1) {
                        shared.set(true);
                    }
                    hits.incrementAndGet(item);
                    busy.decrementAndGet(slot);
                });
                assertTrue(!shared.get(), "round " + round + ": two threads ran in one slot at once");
                for (int i = 0; i < items; i++) {
                    assertEquals(1, hits.get(i), "round " + round + " item " + i);
                }
            }
        }
    }

    @Test
    void aFailingTaskIsRethrownToTheCaller() {
        try (WorkerPool pool = new WorkerPool(2, "test")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.parallelFor(8, i -> {
                if (i == 5) {
                    throw new IllegalStateException("task 5 failed");
                }
            }));
            assertEquals("task 5 failed", e.getMessage());
            AtomicIntegerArray hits = new AtomicIntegerArray(4);
            pool.parallelFor(4, hits::incrementAndGet);
            assertEquals(1, hits.get(3), "the pool still works after a failure");
        }
    }

    @Test
    void roundsLargerThanOneClaimStateRunEveryTaskOnce() {
        try (WorkerPool pool = new WorkerPool(2, "test")) {
            int tasks = 70_000;
            AtomicIntegerArray hits = new AtomicIntegerArray(tasks);
            pool.parallelFor(tasks, hits::incrementAndGet);
            for (int i = 0; i < tasks; i++) {
                assertEquals(1, hits.get(i), "task " + i);
            }
        }
    }

    @Test
    void aFailureDoesNotLeakIntoTheNextRound() {
        try (WorkerPool pool = new WorkerPool(2, "test")) {
            assertThrows(IllegalArgumentException.class, () -> pool.parallelFor(2, i -> {
                throw new IllegalArgumentException("task " + i);
            }));
            for (int round = 0; round < 100; round++) {
                pool.parallelFor(2, i -> { });
            }
        }
    }

    @Test
    void smallWorkRunsOnTheCallingThreadAndLargeWorkOnAllThreads() {
        try (WorkerPool one = new WorkerPool(1, "test"); WorkerPool two = new WorkerPool(2, "test")) {
            assertEquals(1, one.threadsFor(Long.MAX_VALUE / 2, 0));
            long threshold = WorkerPool.MIN_NANOS_PER_THREAD;
            if (threshold == 0) {
                // -Dinfero.cpu.minTaskMicros=0 (a test execution that runs every multi-threaded path): all splits.
                assertEquals(2, two.threadsFor(0, 0));
                return;
            }
            assertEquals(1, two.threadsFor(0, 0));
            // A 1×1 convolution of 16 channels on 32×32: a few microseconds, not worth a hand-off.
            assertEquals(1, two.threadsFor(2L * 16 * 16 * 32 * 32, 4L * 2 * 16 * 32 * 32));
            // A 3×3 convolution of 64 channels on 56×56: a millisecond.
            assertEquals(2, two.threadsFor(2L * 64 * 64 * 9 * 56 * 56, 4L * 2 * 64 * 56 * 56));
            assertEquals(1, two.threadsFor(2 * threshold - 1));
            assertEquals(2, two.threadsFor(2 * threshold));
        }
    }

    @Test
    void roundsInsideInferencesRunEveryTaskOnce() {
        try (WorkerPool pool = new WorkerPool(2, "test")) {
            for (int inference = 0; inference < 200; inference++) {
                pool.begin();
                try {
                    for (int section = 0; section < 10; section++) {
                        int tasks = 1 + (inference + section) % 5;
                        AtomicIntegerArray hits = new AtomicIntegerArray(tasks);
                        pool.parallelFor(tasks, hits::incrementAndGet);
                        for (int i = 0; i < tasks; i++) {
                            assertEquals(1, hits.get(i), "inference " + inference + " section " + section);
                        }
                    }
                } finally {
                    pool.end();
                }
            }
            // Outside inferences the pool still works (its workers park again).
            AtomicIntegerArray hits = new AtomicIntegerArray(3);
            pool.parallelFor(3, hits::incrementAndGet);
            assertEquals(1, hits.get(2));
        }
    }

    @Test
    void aSingleThreadPoolIgnoresInferenceBrackets() {
        try (WorkerPool one = new WorkerPool(1, "test")) {
            one.begin();
            assertEquals(1, one.threadsFor(Long.MAX_VALUE / 2));
            one.end();
        }
    }

    @Test
    void thresholdSplitsOnlyWhenEveryThreadGetsItsShare() {
        assertEquals(1, WorkerPool.threadsFor(19_999, 10_000, 2));
        assertEquals(2, WorkerPool.threadsFor(20_000, 10_000, 2));
        assertEquals(2, WorkerPool.threadsFor(1_000_000, 10_000, 2), "never more than the pool's threads");
        assertEquals(4, WorkerPool.threadsFor(0, 0, 4), "0 splits everything");
        // The threshold while workers poll is never above the one for parked workers.
        assertTrue(WorkerPool.MIN_NANOS_PER_THREAD_POLLING <= WorkerPool.MIN_NANOS_PER_THREAD);
        // A contended pool never splits smaller steps than an idle one outside inferences.
        assertTrue(WorkerPool.MIN_NANOS_PER_THREAD_CONTENDED >= WorkerPool.MIN_NANOS_PER_THREAD);
    }

    @Test
    void workersParkSoonAfterTheLastInferenceEnds() throws InterruptedException {
        try (WorkerPool pool = new WorkerPool(2, "test")) {
            for (int inference = 0; inference < 20; inference++) {
                pool.begin();
                try {
                    for (int section = 0; section < 5; section++) {
                        pool.parallelFor(2, i -> { });
                    }
                } finally {
                    pool.end();
                }
            }
            // Idle workers poll at most LINGER_NANOS (or POLL_NANOS) after their last task, then park: allow for a
            // busy machine's scheduler delays, far above either bound.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (pool.allPolling() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(!pool.allPolling(), "a worker still polled 10 s after the last inference ended");
        }
    }

    @Test
    void beginWakesParkedWorkersUnlessContended() throws InterruptedException {
        try (WorkerPool pool = new WorkerPool(2, "test")) {
            // A parked thread may return from park() spuriously (then it spins a little and parks again), and a busy
            // machine may mark the pool contended at any time: measure on up to twenty rounds, count only those where
            // the worker was still parked just before begin() and the pool quiet throughout, and require that
            // begin() woke the parked worker on one of them.
            int quietRounds = 0;
            boolean woke = false;
            for (int attempt = 0; attempt < 20 && !woke; attempt++) {
                pool.parallelFor(2, i -> { });
                awaitParked(pool);
                boolean contendedBefore = pool.contended();
                boolean parkedBefore = !pool.allPolling();
                int wakesBefore = pool.beginWakes;
                pool.begin();
                try {
                    boolean quiet = parkedBefore && !contendedBefore && !pool.contended()
                            && !pool.contendedInInference();
                    int wakes = pool.beginWakes - wakesBefore;
                    if (!WorkerPool.WAKE_AT_BEGIN) {
                        assertEquals(0, wakes);
                    } else if (quiet) {
                        quietRounds++;
                        woke = wakes == 1;
                    }
                    assertTrue(wakes <= 1, "begin() woke " + wakes + " workers; the pool has 1");
                    assertEachTaskRunsOnce(pool);
                } finally {
                    pool.end();
                }
            }
            if (WorkerPool.WAKE_AT_BEGIN) {
                Assumptions.assumeTrue(quietRounds > 0,
                        "no round with the worker parked and the pool quiet in twenty (busy machine)");
                assertTrue(woke, "begin() never woke the parked worker in " + quietRounds + " quiet rounds");
            }
        }
    }

    /**
     * One stall or slow yield (an idle VM's hypervisor, a compiler thread) leaves the pool polling; several within
     * the evidence window make it contended, and while it is, every further one renews the hold.
     */
    @Test
    void contentionNeedsSeveralSlips() {
        assumeTrue(Integer.getInteger("infero.cpu.contendedEvidence") == null, "evidence count overridden");
        for (int attempt = 0; ; attempt++) {
            try (WorkerPool pool = new WorkerPool(2, "test")) {
                long start = System.nanoTime();
                boolean quiet = true;
                for (int i = 1; i < WorkerPool.EVIDENCE_MARKS; i++) {
                    pool.noteSlip();
                    quiet &= !pool.contended();
                }
                pool.noteSlip();
                boolean contended = pool.contended();
                // A thread descheduled past the window (a busy machine) starts a new window: try again.
                if (System.nanoTime() - start < WorkerPool.EVIDENCE_WINDOW_NANOS / 2 || attempt == 20) {
                    assertTrue(quiet, "contended before " + WorkerPool.EVIDENCE_MARKS + " slips");
                    assertTrue(contended, "not contended after " + WorkerPool.EVIDENCE_MARKS + " slips");
                    return;
                }
            }
        }
    }

    @Test
    void beginOnAContendedPoolWakesNothing() throws InterruptedException {
        try (WorkerPool pool = new WorkerPool(2, "test")) {
            pool.parallelFor(2, i -> { });
            awaitParked(pool);
            pool.markContended();
            int wakesBefore = pool.beginWakes;
            pool.begin();
            try {
                assertEquals(wakesBefore, pool.beginWakes, "begin() woke a worker on a contended pool");
                assertEachTaskRunsOnce(pool);
            } finally {
                pool.end();
            }
        }
    }

    /** A parallel section of two tasks runs each exactly once. */
    private static void assertEachTaskRunsOnce(WorkerPool pool) {
        AtomicIntegerArray hits = new AtomicIntegerArray(2);
        pool.parallelFor(2, hits::incrementAndGet);
        assertEquals(1, hits.get(0));
        assertEquals(1, hits.get(1));
    }

    /**
     * Waits until a worker has been seen parked (an idle worker parks after spinning briefly; 10 s allows a busy
     * machine). What it saw is asserted, not a second look: a spurious return from park() may have it polling again
     * a moment later (that failed once with the JIT off).
     */
    private static void awaitParked(WorkerPool pool) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        boolean parked = !pool.allPolling();
        while (!parked && System.nanoTime() < deadline) {
            Thread.sleep(1);
            parked = !pool.allPolling();
        }
        assertTrue(parked, "the worker never parked");
    }

    @Test
    void contentionThatComesBackSoonHoldsLongerAndAPassingBurstDoesNot() {
        long first = WorkerPool.CONTENDED_NANOS;
        long max = WorkerPool.MAX_CONTENDED_NANOS;
        assertTrue(first <= max);
        // Back within one hold's length: the hold doubles, up to the longest.
        assertEquals(Math.min(2 * first, max), WorkerPool.nextHold(first, first / 2));
        assertEquals(max, WorkerPool.nextHold(max, 0));
        assertEquals(max, WorkerPool.nextHold(max / 2 + 1, 1));
        // Quiet for longer than the hold: a new burst gets the first hold again.
        assertEquals(first, WorkerPool.nextHold(first, first));
        assertEquals(first, WorkerPool.nextHold(max, max + 1));
    }
}
