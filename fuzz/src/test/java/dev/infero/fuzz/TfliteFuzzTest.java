package dev.infero.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.infero.core.frontend.ModelSource;

import java.nio.file.Path;

/** Fuzzes the TensorFlow Lite frontend (FlatBuffers model, buffers, quantization parameters). */
class TfliteFuzzTest {
    @FuzzTest
    void fuzz(byte[] data) {
        Path model = Fuzz.write("model.tflite", data);
        Fuzz.expectCleanRefusal(() -> Fuzz.readModel(new ModelSource(model, null, null, "tflite")));
    }
}
