package dev.infero.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.infero.core.frontend.ModelSource;

import java.nio.file.Path;

/** Fuzzes the TensorFlow frontend on a text {@code GraphDef} ({@code .pbtxt}). */
class TfTextFuzzTest {
    @FuzzTest
    void fuzz(byte[] data) {
        Path model = Fuzz.write("model.pbtxt", data);
        Fuzz.expectCleanRefusal(() -> Fuzz.readModel(new ModelSource(model, null, null, "tf")));
    }
}
