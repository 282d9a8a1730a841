package dev.infero.fuzz;

import dev.infero.accuracy.AccuracyConfig;

import java.nio.file.Path;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** Fuzzes the Accuracy Checker YAML parser ({@code accuracy}): models, launchers, datasets, adapters, metrics. */
class AccuracyConfigFuzzTest {
    @FuzzTest
    void fuzz(byte[] data) {
        Path file = Fuzz.write("accuracy.yml", data);
        Fuzz.expectCleanRefusal(() -> AccuracyConfig.read(file, true));
    }
}
