package dev.infero.fuzz;

import dev.infero.quantize.PotConfigParser;

import java.nio.charset.StandardCharsets;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** Fuzzes the POT JSON configuration parser ({@code quantize}); paths in it resolve to an empty folder. */
class PotConfigFuzzTest {
    @FuzzTest
    void fuzz(byte[] data) {
        Fuzz.expectCleanRefusal(() -> PotConfigParser.parse(new String(data, StandardCharsets.UTF_8), Fuzz.scratch()));
    }
}
