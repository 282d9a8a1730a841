package dev.infero.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.infero.core.frontend.ModelSource;

import java.nio.file.Path;

/** Fuzzes the MXNet frontend: the {@code -symbol.json} and the {@code .params} (input split by {@link Fuzz#split}). */
class MxnetFuzzTest {
    @FuzzTest
    void fuzz(byte[] data) {
        Path[] files = Fuzz.writeSplit(data, "model-symbol.json", "model-0000.params");
        Fuzz.expectCleanRefusal(() -> Fuzz.readModel(new ModelSource(files[1], null, files[0], "mxnet")));
    }
}
