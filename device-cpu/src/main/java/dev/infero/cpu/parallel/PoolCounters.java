package dev.infero.cpu.parallel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of one {@link WorkerPool}'s hand-offs, kept only under {@code -Dinfero.cpu.poolStats=true} (the pool's
 * hot path tests one static final flag otherwise) and printed to standard error when the JVM exits, one line per pool
 * that ran a parallel section: how many sections started while the pool was in an inference, how often a worker was
 * parked at a section's start, how late the workers saw a section (its start to a worker's first look at it), how
 * many of those looks found a task left, how long the caller waited for the workers' last tasks, and how many spells
 * of contention began and how long they were held.
 */
final class PoolCounters {
    static final boolean ENABLED = Boolean.getBoolean("infero.cpu.poolStats");

    /** Upper bounds (µs) of the join-latency histogram's buckets; the last bucket takes the rest. */
    private static final long[] BUCKET_MICROS = {1, 2, 5, 10, 20, 50, 100, 200, 1000};

    private static final List<PoolCounters> ALL = new ArrayList<>();

    static final int ROUNDS = 0;
    static final int ACTIVE_ROUNDS = 1;
    static final int CONTENDED_ROUNDS = 2;
    static final int PARKED_STARTS = 3;
    static final int TASKS = 4;
    static final int WORKER_TASKS = 5;
    static final int CALLER_WAIT_NANOS = 6;
    static final int LOOKS = 7;
    static final int JOINS = 8;
    static final int JOIN_NANOS = 9;
    static final int LATE_NANOS = 10;
    static final int INFERENCES = 11;
    static final int SPIN_PARKS = 12;
    static final int FIRST_ROUNDS = 13;
    static final int FIRST_PARKED_STARTS = 14;
    static final int SPELLS = 15;
    static final int SPELL_HOLD_NANOS = 16;
    private static final int HISTOGRAM = 17;
    private static final int SIZE = HISTOGRAM + BUCKET_MICROS.length + 1;

    static {
        if (ENABLED) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                synchronized (ALL) {
                    for (PoolCounters c : ALL) {
                        if (c.get(ROUNDS) > 0) {
                            System.err.println(c.report());
                        }
                    }
                }
            }, "infero-pool-stats"));
        }
    }

    private final String name;
    private final AtomicLongArray counts = new AtomicLongArray(SIZE);

    PoolCounters(String name) {
        this.name = name;
        synchronized (ALL) {
            ALL.add(this);
        }
    }

    void add(int counter, long value) {
        counts.addAndGet(counter, value);
    }

    long get(int counter) {
        return counts.get(counter);
    }

    /** A worker looked at a section {@code nanos} after it started and found a task left ({@code joined}) or none. */
    void look(long nanos, boolean joined) {
        counts.incrementAndGet(LOOKS);
        if (joined) {
            counts.incrementAndGet(JOINS);
            counts.addAndGet(JOIN_NANOS, nanos);
            int b = 0;
            while (b < BUCKET_MICROS.length && nanos >= BUCKET_MICROS[b] * 1000) {
                b++;
            }
            counts.incrementAndGet(HISTOGRAM + b);
        } else {
            counts.addAndGet(LATE_NANOS, nanos);
        }
    }

    String report() {
        long rounds = get(ROUNDS);
        long joins = get(JOINS);
        long late = get(LOOKS) - joins;
        StringBuilder s = new StringBuilder();
        s.append(String.format(java.util.Locale.ROOT,
                "[pool %s] inferences %d, sections %d (%.1f per inference), in inferences %.1f %%,"
                        + " contended %.1f %%, a worker parked at start %.1f %%; tasks %d, by workers %.1f %%;"
                        + " worker joined %d (mean %.1f µs after start), late with nothing left %d (mean %.1f µs);"
                        + " caller waited %.2f µs per section for workers; worker parks %d;"
                        + " first sections of inferences %d, a worker parked at %d;"
                        + " contended spells %d (mean hold %.1f ms)",
                name, get(INFERENCES), rounds, get(INFERENCES) == 0 ? 0.0 : rounds / (double) get(INFERENCES),
                100.0 * get(ACTIVE_ROUNDS) / rounds, 100.0 * get(CONTENDED_ROUNDS) / rounds,
                100.0 * get(PARKED_STARTS) / rounds, get(TASKS), 100.0 * get(WORKER_TASKS) / Math.max(1, get(TASKS)),
                joins, joins == 0 ? 0.0 : get(JOIN_NANOS) / 1000.0 / joins, late,
                late == 0 ? 0.0 : get(LATE_NANOS) / 1000.0 / late, get(CALLER_WAIT_NANOS) / 1000.0 / rounds,
                get(SPIN_PARKS), get(FIRST_ROUNDS), get(FIRST_PARKED_STARTS),
                get(SPELLS), get(SPELLS) == 0 ? 0.0 : get(SPELL_HOLD_NANOS) / 1e6 / get(SPELLS)));
        s.append("; join latency:");
        for (int b = 0; b <= BUCKET_MICROS.length; b++) {
            s.append(b < BUCKET_MICROS.length ? " <" + BUCKET_MICROS[b] : " >=" + BUCKET_MICROS[b - 1])
                    .append("µs ").append(get(HISTOGRAM + b));
        }
        return s.toString();
    }

    /** Every pool's report, one line each (for harnesses), and the counters reset. */
    static String reportAllAndReset() {
        StringBuilder s = new StringBuilder();
        synchronized (ALL) {
            for (PoolCounters c : ALL) {
                if (c.get(ROUNDS) > 0) {
                    s.append(c.report()).append('\n');
                }
                for (int i = 0; i < SIZE; i++) {
                    c.counts.set(i, 0);
                }
            }
        }
        return s.toString();
    }
}
