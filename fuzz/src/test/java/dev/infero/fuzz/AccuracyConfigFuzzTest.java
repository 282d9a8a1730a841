package dev.infero.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.infero.accuracy.AccuracyConfig;

import java.nio.file.Path;

/** Fuzzes the Accuracy Checker YAML parser ({@code accuracy}): models, launchers, datasets, adapters, metrics. */
class AccuracyConfigFuzzTest {
    static {
        // The files and folder the seed names, so that a valid configuration gets past the existence checks.
        Fuzz.files("m.onnx", "labels.txt");
        Fuzz.folder("images");
    }

    @FuzzTest
    void fuzz(byte[] data) {
        Path file = Fuzz.write("accuracy.yml", data);
        Fuzz.expectCleanRefusal(() -> AccuracyConfig.read(file, true));
    }
}
