package dev.infero.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.infero.core.frontend.ModelSource;

import java.nio.file.Path;

/** Fuzzes the Caffe frontend: the text {@code .prototxt} and the binary {@code .caffemodel} (input split by {@link Fuzz#split}). */
class CaffeFuzzTest {
    @FuzzTest
    void fuzz(byte[] data) {
        byte[][] parts = Fuzz.split(data);
        Path proto = Fuzz.write("model.prototxt", parts[0]);
        Path weights = Fuzz.write("model.caffemodel", parts[1]);
        Fuzz.expectCleanRefusal(() -> Fuzz.readModel(new ModelSource(weights, proto, null, "caffe")));
    }
}
