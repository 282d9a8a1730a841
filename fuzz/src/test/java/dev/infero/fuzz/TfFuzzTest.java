package dev.infero.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.infero.core.frontend.ModelSource;

import java.nio.file.Path;

/** Fuzzes the TensorFlow frontend on a frozen binary {@code GraphDef} ({@code .pb}). */
class TfFuzzTest {
    @FuzzTest
    void fuzz(byte[] data) {
        Path model = Fuzz.write("model.pb", data);
        Fuzz.expectCleanRefusal(() -> Fuzz.readModel(new ModelSource(model, null, null, "tf")));
    }
}
