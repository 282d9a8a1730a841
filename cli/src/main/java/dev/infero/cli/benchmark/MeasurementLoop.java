package dev.infero.cli.benchmark;

import dev.infero.api.AsyncInferQueue;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Runs inferences until the limits are met and records each one's latency (start to completion) with a clock that
 * tests may replace. The limits follow benchmark_app: with both an iteration count and a duration the run continues
 * until both are reached.
 */
public final class MeasurementLoop {
    /** Stop conditions; 0 means "no limit" for either, and at least one is set. */
    public record Limits(long iterations, long durationNanos) {
        boolean reached(long count, long elapsedNanos) {
            boolean iterationsMet = iterations == 0 || count >= iterations;
            boolean durationMet = durationNanos == 0 || elapsedNanos >= durationNanos;
            return iterationsMet && durationMet;
        }

        /** Share of the run done, 0..1, for the progress bar (the slower of the two limits). */
        double progress(long count, long elapsedNanos) {
            double byCount = iterations == 0 ? 1 : (double) count / iterations;
            double byTime = durationNanos == 0 ? 1 : (double) elapsedNanos / durationNanos;
            return Math.min(1, Math.min(byCount, byTime));
        }
    }

    /** Receives the share of the run done, 0..1, after each inference. */
    public interface Progress {
        Progress NONE = fraction -> { };

        void update(double fraction);
    }

    /** What a run measured: per-inference latencies and the total wall time. */
    public record Measured(long[] latenciesNanos, long durationNanos) {
    }

    private final LongSupplier clock;
    private final Limits limits;
    private final Progress progress;

    public MeasurementLoop(LongSupplier clock, Limits limits, Progress progress) {
        this.clock = clock;
        this.limits = limits;
        this.progress = progress;
    }

    /** One request, one inference after the other on this thread. */
    public Measured runSync(Runnable inference) {
        LongList latencies = new LongList();
        long start = clock.getAsLong();
        long now = start;
        while (!limits.reached(latencies.size(), now - start)) {
            long t0 = clock.getAsLong();
            inference.run();
            now = clock.getAsLong();
            latencies.add(now - t0);
            progress.update(limits.progress(latencies.size(), now - start));
        }
        return new Measured(latencies.toArray(), now - start);
    }

    /**
     * Keeps every request of {@code queue} busy (inputs already bound) until the limits are met, then waits for the
     * inferences in flight; each latency runs from its start to its completion callback.
     */
    public Measured runAsync(AsyncInferQueue<Long> queue) {
        LongList latencies = new LongList();
        queue.setCallback((request, startedAt, failure) -> {
            long done = clock.getAsLong();
            synchronized (latencies) {
                latencies.add(done - startedAt);
            }
        });
        long start = clock.getAsLong();
        long started = 0;
        long now = start;
        while (!limits.reached(started, now - start)) {
            queue.startAsync(java.util.List.of(), clock.getAsLong());
            started++;
            now = clock.getAsLong();
            progress.update(limits.progress(started, now - start));
        }
        queue.waitAll();
        long end = clock.getAsLong();
        synchronized (latencies) {
            return new Measured(latencies.toArray(), end - start);
        }
    }

    /** A growable list of primitive longs (a million latencies should not be a million boxes). */
    static final class LongList {
        private long[] values = new long[1024];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int size() {
            return size;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
