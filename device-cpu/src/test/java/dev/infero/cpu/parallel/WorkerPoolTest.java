package dev.infero.cpu.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
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
}
