package dev.infero.cpu.fusion;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A MaxPool runs on codes only when every window reads an input element ({@link Fusion#everyWindowReads}): a window
 * of padding alone gives -inf on values, whose code is the lowest level, but -inf on codes.
 */
class CodesThroughWindowsTest {
    @Test
    void windowsWithAnInputElementPass() {
        // 5 inputs, 3 outputs of 3-wide windows at stride 2 with padding 1 on each side (ceil or floor alike).
        assertTrue(Fusion.everyWindowReads(5, 3, 3, 2, 1, 1));
        // Dilation 2: taps at -1, 1, 3 for output 0.
        assertTrue(Fusion.everyWindowReads(4, 2, 3, 2, 2, 1));
    }

    @Test
    void aWindowOfPaddingAloneIsRefused() {
        // Padding 2 before a 2-wide window: output 0 covers positions -2 and -1.
        assertFalse(Fusion.everyWindowReads(5, 4, 2, 2, 1, 2));
        // A last window past the input: 4 outputs at stride 2 of 4 inputs, window 1: output 3 reads position 6.
        assertFalse(Fusion.everyWindowReads(4, 4, 1, 2, 1, 0));
        // Dilation skipping the input: taps at -2 and 2 of a 1-wide input.
        assertFalse(Fusion.everyWindowReads(1, 1, 2, 1, 4, 2));
    }
}
