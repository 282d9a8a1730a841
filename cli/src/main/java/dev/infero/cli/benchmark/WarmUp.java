package dev.infero.cli.benchmark;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * Runs inferences until HotSpot has compiled the code they run, so that a measurement after it times Infero and not
 * the JVM's warm-up. A fixed warm-up time is not enough: on a busy machine the compilers get fewer time slices, and a
 * kernel that runs interpreted at first (INT8 code took 7–30 ms per inference of the demo instead of 0.13 ms) makes
 * few inferences, so few that HotSpot has not compiled it yet when the time is up; the measured period then holds
 * the slow start, its throughput disagrees with its median latency. The rule: run for at least {@code minNanos}, then
 * until a window of {@link #QUIET_NANOS} (and at least {@link #QUIET_INFERENCES} inferences) passes in which
 * HotSpot's compilers finished no work ({@link CompilationMXBean#getTotalCompilationTime} did not move), at most
 * {@code maxNanos} in all.
 *
 * @param inferences how many inferences the warm-up ran
 * @param nanos      how long it took
 * @param settled    whether the compilers went quiet (false: the cap was reached, or the JVM does not report
 *                   compilation time)
 */
public record WarmUp(long inferences, long nanos, boolean settled) {
    /** How long the compilers must stay quiet. */
    static final long QUIET_NANOS = 200_000_000L;
    /** Inferences a quiet window must hold, so that a slow inference cannot hide the compilation it triggers. */
    static final int QUIET_INFERENCES = 10;

    /** Warms up with the system clock and this JVM's compilation time. */
    public static WarmUp run(Runnable inference, long minNanos, long maxNanos) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        LongSupplier compileMillis = jit != null && jit.isCompilationTimeMonitoringSupported()
                ? jit::getTotalCompilationTime : null;
        return run(inference, System::nanoTime, compileMillis, minNanos, maxNanos);
    }

    /**
     * Warms up with the given clock (nanoseconds) and compilation-time counter (milliseconds, monotonic; null when
     * unknown: then exactly {@code minNanos}).
     */
    static WarmUp run(Runnable inference, LongSupplier clock, LongSupplier compileMillis, long minNanos,
                      long maxNanos) {
        if (minNanos < 0 || maxNanos < minNanos) {
            throw new IllegalArgumentException("warm-up needs 0 <= min <= max, got " + minNanos + ", " + maxNanos);
        }
        long start = clock.getAsLong();
        long now = start;
        long count = 0;
        while (now - start < minNanos || count == 0) {
            inference.run();
            count++;
            now = clock.getAsLong();
        }
        if (compileMillis == null) {
            return new WarmUp(count, now - start, false);
        }
        long windowStart = now;
        long windowCount = 0;
        long compiled = compileMillis.getAsLong();
        while (now - start < maxNanos) {
            inference.run();
            count++;
            windowCount++;
            now = clock.getAsLong();
            long c = compileMillis.getAsLong();
            if (c != compiled) {
                compiled = c;
                windowStart = now;
                windowCount = 0;
            } else if (now - windowStart >= QUIET_NANOS && windowCount >= QUIET_INFERENCES) {
                return new WarmUp(count, now - start, true);
            }
        }
        return new WarmUp(count, now - start, false);
    }
}
