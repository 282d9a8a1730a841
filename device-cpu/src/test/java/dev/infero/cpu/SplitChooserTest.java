package dev.infero.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-step split gate follows each step's measured one-thread time against the cost of splitting it. */
class SplitChooserTest {
    /** Bytes of each step's activations: 100 KB for all but step 3 (800 KB). */
    private static final long[] BYTES = {100_000, 100_000, 100_000, 800_000};

    /**
     * Whole times: step 0 is long (400 µs), step 1 short (just below what pays for its split), step 2 short but once
     * preempted for 2 ms (the minimum ignores that), step 3 longer but moves so many bytes that a split does not pay.
     */
    private static long wholeTime(int step, int sample) {
        return switch (step) {
            case 0 -> 400_000 + (sample % 3) * 50_000;
            // Steps 1-3 just below what pays for their split (the rule's constants), step 2 once preempted.
            case 1 -> below(BYTES[1]) + (sample % 2) * 5_000;
            case 2 -> sample == 3 ? 2_000_000 : below(BYTES[2]);
            default -> below(BYTES[3]);
        };
    }

    /** Runs one inference as CpuRequest does; returns how many steps were allowed to split. */
    private static int infer(SplitChooser c, int sample) {
        int splitSteps = 0;
        long nanos = 0;
        for (int s = 0; s < BYTES.length; s++) {
            int limit = c.limit(s, false);
            splitSteps += limit > 1 ? 1 : 0;
            nanos += wholeTime(s, sample);
            if (c.measuring()) {
                c.record(s, wholeTime(s, sample));
            }
        }
        c.endInference(false, nanos);
        return splitSteps;
    }

    @Test
    void splitsOnlyStepsWhoseOneThreadTimePaysForTheSplit() {
        SplitChooser c = new SplitChooser(BYTES, 2);
        for (int i = 0; i < SplitChooser.WARM_UP; i++) {
            assertFalse(c.measuring());
            assertEquals(4, infer(c, i), "every step as the kernels decide during the warm-up");
        }
        for (int i = 0; i < SplitChooser.SAMPLES; i++) {
            assertTrue(c.measuring());
            assertEquals(0, infer(c, i), "every step whole while measuring");
        }
        assertFalse(c.measuring());
        assertTrue(c.splits(0));
        assertFalse(c.splits(1));
        assertFalse(c.splits(2), "a preempted sample does not make a short step look long");
        assertFalse(c.splits(3), "its bytes would cross between the cores' caches");
        assertEquals(2, c.limit(0, false));
        assertEquals(1, c.limit(1, false));
        assertEquals(SplitChooser.QUIET_ONLY ? 2 : 1, c.limit(1, true));
        assertEquals(1, infer(c, 0));
    }

    /**
     * Runs the whole-model check after a measurement: inferences with the steps' verdicts take {@code splitNanos},
     * those with every step whole {@code wholeNanos}; returns how many of the check's inferences split step 0.
     */
    private static int check(SplitChooser c, long splitNanos, long wholeNanos) {
        return check(c, splitNanos, wholeNanos, false);
    }

    /** {@link #check(SplitChooser, long, long)} on a pool that is {@code contended} at the check's last inference. */
    private static int check(SplitChooser c, long splitNanos, long wholeNanos, boolean contended) {
        int split = 0;
        for (int i = 0; i < 2 * SplitChooser.CHECKS; i++) {
            boolean splits = c.limit(0, false) > 1;
            split += splits ? 1 : 0;
            c.endInference(contended && i == 2 * SplitChooser.CHECKS - 1, splits ? splitNanos : wholeNanos);
        }
        return split;
    }

    /** Warms up and measures one step of {@code wholeNanos} whole (with 100 KB of activations). */
    private static SplitChooser measured(long wholeNanos) {
        SplitChooser c = new SplitChooser(new long[] {100_000}, 2);
        for (int i = 0; i < SplitChooser.WARM_UP + SplitChooser.SAMPLES; i++) {
            if (c.measuring()) {
                c.record(0, wholeNanos);
            }
            c.endInference(false, wholeNanos);
        }
        return c;
    }

    @Test
    void keepsTheSplitsOfASmallModelOnlyWhenTheyMakeItFaster() {
        SplitChooser faster = measured(400_000);
        assertTrue(faster.splits(0));
        assertEquals(SplitChooser.CHECKS, check(faster, 300_000, 400_000), "verdicts and whole alternate");
        assertTrue(faster.splits(0));
        assertEquals(2, faster.limit(0, false));

        SplitChooser even = measured(400_000);
        check(even, 400_000, 395_000);
        assertTrue(even.splits(0), "whole must be faster by the margin");

        SplitChooser busy = measured(SplitChooser.CHECK_CONTENDED_MAX_NANOS);
        check(busy, 2 * SplitChooser.CHECK_CONTENDED_MAX_NANOS, SplitChooser.CHECK_CONTENDED_MAX_NANOS, true);
        assertTrue(busy.splits(0), "a check of a longer model on a contended pool decides nothing");
        SplitChooser busySmall = measured(400_000);
        check(busySmall, 450_000, 400_000, true);
        assertFalse(busySmall.splits(0), "a model shorter than a scheduler slice is checked on a contended pool too");

        SplitChooser slower = measured(400_000);
        assertEquals(SplitChooser.CHECKS, check(slower, 450_000, 400_000));
        assertFalse(slower.splits(0), "2 threads were slower than every step whole");
        assertEquals(1, slower.limit(0, false));
        // On to the end of the next measurement: the period's rest, then its samples.
        for (int i = 0; i < SplitChooser.FIRST_PERIOD - 2 * SplitChooser.CHECKS; i++) {
            if (slower.measuring()) {
                slower.record(0, 400_000);
            }
            slower.endInference(false, 400_000);
        }
        assertTrue(slower.splits(0), "the next measurement checks again");
        assertEquals(SplitChooser.CHECKS, check(slower, 300_000, 400_000));
        assertEquals(2, slower.limit(0, false));
    }

    @Test
    void leavesLargeModelsUnchecked() {
        long large = SplitChooser.CHECK_MAX_NANOS;
        SplitChooser c = measured(large);
        assertEquals(2 * SplitChooser.CHECKS, check(c, 2 * large, large), "no inference of a large model runs whole");
        assertTrue(c.splits(0));
    }

    @Test
    void theRuleWeighsTimeAgainstHandOffAndBytes() {
        long cost = SplitChooser.HANDOFF_NANOS + 1_000_000 / SplitChooser.CROSS_CORE_BYTES_PER_NANO;
        long h = SplitChooser.HANDOFF_NANOS;
        assertTrue(SplitChooser.pays(times(cost), 1_000_000, h, SplitChooser.CROSS_CORE_BYTES_PER_NANO));
        assertFalse(SplitChooser.pays(times(cost) - 1, 1_000_000, h, SplitChooser.CROSS_CORE_BYTES_PER_NANO));
        assertFalse(SplitChooser.pays(times(h) - 1, 0, h, SplitChooser.CROSS_CORE_BYTES_PER_NANO));
        assertFalse(SplitChooser.pays(times(cost), 1_000_000, 2 * h, SplitChooser.CROSS_CORE_BYTES_PER_NANO));
        long longest = times(SplitChooser.HANDOFF_NANOS
                + SplitChooser.CROSS_CORE_BYTES / SplitChooser.CROSS_CORE_BYTES_PER_NANO);
        assertTrue(SplitChooser.pays(longest, 100L << 20, h, SplitChooser.CROSS_CORE_BYTES_PER_NANO), "large tensors are left to their kernels");
    }

    @Test
    void vetoesNothingAfterAMeasurementOnABusyMachineOnlyWhenAskedTo() {
        SplitChooser c = new SplitChooser(BYTES, 2);
        for (int i = 0; i < SplitChooser.WARM_UP + SplitChooser.SAMPLES; i++) {
            boolean measuring = c.measuring();
            for (int s = 0; s < BYTES.length; s++) {
                if (measuring) {
                    c.record(s, wholeTime(s, i));
                }
            }
            c.endInference(measuring && i % 4 == 0, 0);
        }
        for (int s = 0; s < BYTES.length; s++) {
            assertEquals(SplitChooser.QUIET_ONLY || s == 0, c.splits(s), "step " + s);
        }
    }

    @Test
    void measuresAgainEveryPeriod() {
        SplitChooser c = new SplitChooser(new long[] {0}, 2);
        int measured = 0;
        for (int i = 0; i < SplitChooser.WARM_UP + SplitChooser.FIRST_PERIOD + 3 * SplitChooser.PERIOD; i++) {
            measured += c.measuring() ? 1 : 0;
            infer1(c);
        }
        assertEquals(4 * SplitChooser.SAMPLES, measured, "after the warm-up, again soon, then every period");
    }

    private static void infer1(SplitChooser c) {
        if (c.measuring()) {
            c.record(0, 1_000_000);
        }
        c.endInference(false, 1_000_000);
    }

    /** The least whole time that pays for a split costing {@code cost} ns. */
    private static long times(long cost) {
        return (long) Math.ceil(SplitChooser.GAIN * cost);
    }

    /** 90 % of the least whole time that pays for splitting a step over {@code bytes} of activations. */
    private static long below(long bytes) {
        return times(SplitChooser.HANDOFF_NANOS + Math.min(bytes, SplitChooser.CROSS_CORE_BYTES)
                / SplitChooser.CROSS_CORE_BYTES_PER_NANO) * 9 / 10;
    }
}
