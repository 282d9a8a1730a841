package dev.infero.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.infero.core.frontend.ModelSource;

import java.nio.file.Path;

/** Fuzzes the Caffe frontend: the text {@code .prototxt} and the binary {@code .caffemodel} (input split by {@link Fuzz#split}). */
class CaffeFuzzTest {
    @FuzzTest
    void fuzz(byte[] data) {
        Path[] files = Fuzz.writeSplit(data, "model.prototxt", "model.caffemodel");
        Fuzz.expectCleanRefusal(() -> Fuzz.readModel(new ModelSource(files[1], files[0], null, "caffe")));
    }
}
