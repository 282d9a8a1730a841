package dev.infero.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.infero.core.frontend.ModelSource;

import java.nio.file.Path;

/** Fuzzes the MXNet frontend: the {@code -symbol.json} and the {@code .params} (input split by {@link Fuzz#split}). */
class MxnetFuzzTest {
    @FuzzTest
    void fuzz(byte[] data) {
        byte[][] parts = Fuzz.split(data);
        Path symbol = Fuzz.write("model-symbol.json", parts[0]);
        Path params = Fuzz.write("model-0000.params", parts[1]);
        Fuzz.expectCleanRefusal(() -> Fuzz.readModel(new ModelSource(params, null, symbol, "mxnet")));
    }
}
