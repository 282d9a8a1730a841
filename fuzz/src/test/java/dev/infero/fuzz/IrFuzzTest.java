package dev.infero.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.infero.core.frontend.ModelSource;

import java.nio.file.Path;

/** Fuzzes OpenVINO IR reading: the {@code .xml} and its {@code .bin} (input split by {@link Fuzz#split}). */
class IrFuzzTest {
    @FuzzTest
    void fuzz(byte[] data) {
        Path xml = Fuzz.writeSplit(data, "model.xml", "model.bin")[0];
        Fuzz.expectCleanRefusal(() -> Fuzz.readModel(new ModelSource(xml, null, null, "ir")));
    }
}
