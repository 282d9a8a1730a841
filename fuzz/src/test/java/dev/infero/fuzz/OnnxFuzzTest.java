package dev.infero.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.infero.core.frontend.ModelSource;

import java.nio.file.Path;

/** Fuzzes ONNX parsing and import (protobuf, graph translation, shape inference, constant folding). */
class OnnxFuzzTest {
    @FuzzTest
    void fuzz(byte[] data) {
        Path model = Fuzz.write("model.onnx", data);
        Fuzz.expectCleanRefusal(() -> Fuzz.readModel(new ModelSource(model, null, null, "onnx")));
    }
}
