package dev.infero.cpu.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PoolCountersTest {
    @Test
    void looksAreSortedIntoJoinsAndLateOnesWithTheirLatencies() {
        PoolCounters c = new PoolCounters("counters-test");
        c.add(PoolCounters.INFERENCES, 2);
        c.add(PoolCounters.ROUNDS, 4);
        c.add(PoolCounters.TASKS, 8);
        c.add(PoolCounters.WORKER_TASKS, 2);
        c.look(1_500, true);
        c.look(30_000, true);
        c.look(400_000, false);
        assertEquals(3, c.get(PoolCounters.LOOKS));
        assertEquals(2, c.get(PoolCounters.JOINS));
        assertEquals(31_500, c.get(PoolCounters.JOIN_NANOS));
        assertEquals(400_000, c.get(PoolCounters.LATE_NANOS));
        String report = c.report();
        assertTrue(report.startsWith("[pool counters-test] inferences 2, sections 4 (2.0 per inference)"), report);
        assertTrue(report.contains("by workers 25.0 %"), report);
        assertTrue(report.contains(
                "worker joined 2 (mean 15.8 µs after start), late with nothing left 1 (mean 400.0 µs)"), report);
        // 1.5 µs falls in [1, 2), 30 µs in [20, 50).
        assertTrue(report.contains("<1µs 0 <2µs 1 <5µs 0 <10µs 0 <20µs 0 <50µs 1 <100µs 0"), report);
    }
}
