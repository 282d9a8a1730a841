package dev.infero.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.infero.quantize.PotConfigParser;

import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the POT JSON configuration parser ({@code quantize}); paths in it resolve to a scratch folder holding the files
 * the seed names.
 */
class PotConfigFuzzTest {
    static {
        // The files and folder the seed names, so that a valid configuration gets past the existence checks.
        Fuzz.files("m.xml", "m.bin");
        Fuzz.folder("images");
    }

    @FuzzTest
    void fuzz(byte[] data) {
        Fuzz.expectCleanRefusal(() -> PotConfigParser.parse(new String(data, StandardCharsets.UTF_8), Fuzz.scratch()));
    }
}
