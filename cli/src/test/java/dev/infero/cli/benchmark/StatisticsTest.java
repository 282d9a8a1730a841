package dev.infero.cli.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The final block's numbers, computed on a fake clock where every inference takes a known time. */
class StatisticsTest {
    private static final long MS = 1_000_000;

    /** A clock that only moves when an "inference" advances it. */
    private static final class FakeClock {
        long now = 5 * MS;

        long nanos() {
            return now;
        }
    }

    @Test
    void syncRunMeasuresEachInferenceAndTheTotal() {
        FakeClock clock = new FakeClock();
        long[] durations = {7, 1, 3, 10, 2, 9, 4, 6, 8, 5};
        int[] next = {0};
        MeasurementLoop loop = new MeasurementLoop(clock::nanos, new MeasurementLoop.Limits(10, 0),
                MeasurementLoop.Progress.NONE);
        MeasurementLoop.Measured m = loop.runSync(() -> clock.now += durations[next[0]++] * MS);
        assertEquals(55 * MS, m.durationNanos());
        Statistics s = Statistics.of(m.latenciesNanos(), m.durationNanos(), 1, 50);
        assertEquals(10, s.count());
        assertEquals(55.0, s.durationMs(), 1e-9);
        assertEquals(6.0, s.latencyMs(), 1e-9, "median = sorted[floor(10 * 50 / 100)] = sorted[5]");
        assertEquals(5.5, s.averageMs(), 1e-9);
        assertEquals(1.0, s.minMs(), 1e-9);
        assertEquals(10.0, s.maxMs(), 1e-9);
        assertEquals(1000.0 * 10 / 55, s.throughputFps(), 1e-9);
        assertEquals("Median", s.latencyLabel());
    }

    @Test
    void throughputCountsFramesOfTheBatch() {
        Statistics s = Statistics.of(new long[] {4 * MS, 4 * MS}, 8 * MS, 8, 50);
        assertEquals(2000.0, s.throughputFps(), 1e-9, "2 inferences x 8 frames in 8 ms");
    }

    @Test
    void percentilesIndexTheSortedLatencies() {
        long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        assertEquals(6, Statistics.percentileOf(sorted, 50));
        assertEquals(10, Statistics.percentileOf(sorted, 90), "floor(11 * 0.9) = 9");
        assertEquals(11, Statistics.percentileOf(sorted, 100), "clamped to the last");
        assertEquals(1, Statistics.percentileOf(sorted, 1));
        assertEquals("90 percentile", Statistics.of(new long[] {1}, 1, 1, 90).latencyLabel());
    }

    @Test
    void aTimeLimitStopsAfterTheInferenceThatReachesIt() {
        FakeClock clock = new FakeClock();
        List<Double> progress = new ArrayList<>();
        MeasurementLoop loop = new MeasurementLoop(clock::nanos, new MeasurementLoop.Limits(0, 100 * MS),
                progress::add);
        MeasurementLoop.Measured m = loop.runSync(() -> clock.now += 30 * MS);
        assertEquals(4, m.latenciesNanos().length, "30, 60, 90 ms are under the limit; 120 ms reaches it");
        assertEquals(120 * MS, m.durationNanos());
        assertEquals(List.of(0.3, 0.6, 0.9, 1.0), progress.stream().map(p -> Math.round(p * 10) / 10.0).toList());
    }

    @Test
    void withBothLimitsTheRunLastsUntilBothAreMet() {
        FakeClock clock = new FakeClock();
        MeasurementLoop loop = new MeasurementLoop(clock::nanos, new MeasurementLoop.Limits(3, 50 * MS),
                MeasurementLoop.Progress.NONE);
        assertEquals(5, loop.runSync(() -> clock.now += 10 * MS).latenciesNanos().length, "time is the slower");
        loop = new MeasurementLoop(clock::nanos, new MeasurementLoop.Limits(8, 50 * MS), MeasurementLoop.Progress.NONE);
        assertEquals(8, loop.runSync(() -> clock.now += 10 * MS).latenciesNanos().length, "count is the slower");
    }
}
