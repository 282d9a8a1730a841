package dev.infero.cpu.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every {@link GoldenCases} instruction encodes to the bytes GNU {@code as} produced for it (the committed
 * {@code jit/golden.txt}; {@code scripts/jit-golden.sh} regenerates it).
 */
class AssemblerGoldenTest {
    static Map<String, String> golden() throws IOException {
        Map<String, String> golden = new HashMap<>();
        try (InputStream in = AssemblerGoldenTest.class.getResourceAsStream("/jit/golden.txt")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                int tab = line.indexOf('\t');
                golden.put(line.substring(tab + 1), line.substring(0, tab).replace(" ", ""));
            }
        }
        return golden;
    }

    @Test
    void everyCaseMatchesGnuAs() throws IOException {
        Map<String, String> golden = golden();
        List<GoldenCases.Case> cases = GoldenCases.all();
        assertTrue(cases.size() > 5000, "cases: " + cases.size());
        List<String> wrong = new ArrayList<>();
        for (GoldenCases.Case c : cases) {
            String expected = golden.get(c.text());
            if (expected == null) {
                wrong.add("no golden bytes for '" + c.text() + "': run scripts/jit-golden.sh");
                continue;
            }
            Assembler a = new Assembler();
            String actual;
            try {
                c.emit().accept(a);
                actual = HexFormat.of().formatHex(a.code());
            } catch (RuntimeException e) {
                actual = e.toString();
            }
            if (!expected.equals(actual)) {
                wrong.add(c.text() + ": as " + expected + ", assembler " + actual);
            }
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())), wrong.size() + " of " + cases.size()
                + " cases differ");
    }
}
