package dev.infero.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutATerminalEachStageIsOnePlainLine() {
        try (Progress p = new Progress("Collecting statistics  ", 300, out, false)) {
            for (int i = 0; i < 300; i++) {
                p.step();
            }
        }
        String s = text();
        assertFalse(s.contains("\r"), s);
        assertEquals(1, s.lines().count(), s);
        assertTrue(s.startsWith("Collecting statistics: 300/300 in "), s);
    }

    @Test
    void onATerminalTheBarIsRedrawnOnlyWhenItChanges() {
        Progress p = new Progress("Eval", 1000, out, true);
        for (int i = 0; i < 1000; i++) {
            p.step();
        }
        p.finish();
        p.finish(); // idempotent
        String s = text();
        long frames = s.chars().filter(c -> c == '\r').count();
        assertEquals(41, frames, "the empty bar and one frame per filled column");
        assertTrue(s.endsWith("] 1000/1000" + System.lineSeparator()), s);
    }

    @Test
    void fractionsShowPercentages() {
        Progress p = new Progress("Measuring", 0, out, true);
        p.update(0.5);
        p.update(0.501);
        p.update(2);
        p.finish();
        String s = text();
        assertTrue(s.contains("] 50%") && s.contains("] 100%"), s);
        assertEquals(3, s.chars().filter(c -> c == '\r').count(), s);
    }

    @Test
    void withoutAStreamItIsSilent() {
        Progress p = new Progress("x", 3, null, true);
        p.step();
        p.finish();
        assertEquals("", text());
    }
}
