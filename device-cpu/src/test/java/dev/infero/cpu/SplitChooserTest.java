package dev.infero.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-step split decision follows measured times: a split is kept only where it is clearly faster. */
class SplitChooserTest {
    /** Step 0 halves with 2 threads, step 1 gets slower, step 2 gains less than the margin, step 3 cannot split. */
    private static long time(int step, boolean split, int inference) {
        long noise = inference % 3 == 0 ? 40 : 0;
        return noise + switch (step) {
            case 0 -> split ? 50 : 100;
            case 1 -> split ? 130 : 100;
            case 2 -> split ? 95 : 100;
            default -> 100;
        };
    }

    /** Runs one inference as CpuRequest does; returns how many steps ran split. */
    private static int infer(SplitChooser c, int steps, int inference) {
        int splitSteps = 0;
        for (int s = 0; s < steps; s++) {
            int limit = c.limit(s);
            splitSteps += limit > 1 ? 1 : 0;
            if (c.exploring()) {
                c.record(s, time(s, limit > 1, inference));
            }
        }
        c.endInference();
        return splitSteps;
    }

    @Test
    void keepsTheSplitOnlyWhereItIsClearlyFaster() {
        SplitChooser c = new SplitChooser(4, 2);
        int inference = 0;
        for (; inference < SplitChooser.WARM_UP; inference++) {
            assertFalse(c.exploring());
            assertEquals(4, infer(c, 4, inference), "every step as the kernels decide during the warm-up");
        }
        for (int i = 0; i < 2 * SplitChooser.SAMPLES; i++, inference++) {
            assertTrue(c.exploring());
            assertEquals(inference % 2 == 0 ? 0 : 4, infer(c, 4, inference), "all steps whole, then all split");
        }
        assertFalse(c.exploring());
        assertTrue(c.splits(0));
        assertFalse(c.splits(1));
        assertFalse(c.splits(2));
        assertFalse(c.splits(3));
        assertEquals(1, infer(c, 4, inference++));
        assertEquals(2, c.limit(0));
        assertEquals(1, c.limit(1));
    }

    @Test
    void exploresAgainEveryPeriod() {
        SplitChooser c = new SplitChooser(1, 2);
        int explored = 0;
        for (int i = 0; i < SplitChooser.WARM_UP + 3 * SplitChooser.PERIOD; i++) {
            explored += c.exploring() ? 1 : 0;
            infer(c, 1, i);
        }
        assertEquals(3 * 2 * SplitChooser.SAMPLES, explored);
    }
}
