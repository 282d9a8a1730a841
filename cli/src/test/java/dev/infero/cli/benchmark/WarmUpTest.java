package dev.infero.cli.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link WarmUp} on a fake clock and a fake compilation counter: no real time is measured. */
class WarmUpTest {
    private static final long MS = 1_000_000L;

    /** A clock that each fake inference advances, and a compiler that works until a given inference. */
    private static final class Fake {
        long now;
        long compileMillis;
        int inferences;

        Runnable inference(long nanosEach, int compilingUntil) {
            return () -> {
                now += nanosEach;
                inferences++;
                if (inferences <= compilingUntil) {
                    compileMillis++;
                }
            };
        }
    }

    @Test
    void continuesPastTheMinimumWhileHotSpotCompiles() {
        Fake f = new Fake();
        // 1 ms inferences, compiling during the first 500: the minimum of 100 ms is not enough.
        WarmUp w = WarmUp.run(f.inference(MS, 500), () -> f.now, () -> f.compileMillis, 100 * MS, 10_000 * MS);
        assertTrue(w.settled());
        // Quiet from inference 501 on; the window of 200 ms ends at inference 700.
        assertEquals(700, w.inferences());
        assertEquals(700 * MS, w.nanos());
    }

    @Test
    void stopsAtTheMinimumWhenAlreadyQuietForAWindow() {
        Fake f = new Fake();
        WarmUp w = WarmUp.run(f.inference(MS, 0), () -> f.now, () -> f.compileMillis, 300 * MS, 10_000 * MS);
        assertTrue(w.settled());
        assertEquals(500, w.inferences(), "the minimum, then one quiet window");
    }

    @Test
    void aQuietWindowNeedsSeveralInferences() {
        Fake f = new Fake();
        // 100 ms inferences: a 200 ms window alone would be two inferences; it must hold ten.
        WarmUp w = WarmUp.run(f.inference(100 * MS, 3), () -> f.now, () -> f.compileMillis, 0, 100_000 * MS);
        assertTrue(w.settled());
        assertEquals(3 + WarmUp.QUIET_INFERENCES, w.inferences());
    }

    @Test
    void givesUpAtTheCap() {
        Fake f = new Fake();
        WarmUp w = WarmUp.run(f.inference(MS, Integer.MAX_VALUE), () -> f.now, () -> f.compileMillis, 10 * MS,
                1000 * MS);
        assertFalse(w.settled());
        assertEquals(1000, w.inferences());
    }

    @Test
    void withoutACompilationCounterRunsTheMinimum() {
        Fake f = new Fake();
        WarmUp w = WarmUp.run(f.inference(MS, 0), () -> f.now, null, 50 * MS, 1000 * MS);
        assertFalse(w.settled());
        assertEquals(50, w.inferences());
    }

    @Test
    void runsAtLeastOneInferenceAndRefusesABadRange() {
        Fake f = new Fake();
        assertEquals(1, WarmUp.run(f.inference(MS, 0), () -> f.now, null, 0, 0).inferences());
        assertThrows(IllegalArgumentException.class,
                () -> WarmUp.run(f.inference(MS, 0), () -> f.now, null, 10, 5));
    }
}
