package dev.infero.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.infero.api.io.ImageInput;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/** Fuzzes image decoding ({@code api.io.ImageInput}) into a dynamic NCHW float input, as {@code run -i} does. */
class ImageFuzzTest {
    @FuzzTest
    void fuzz(byte[] data) {
        Fuzz.expectCleanRefusal(() -> ImageInput.load(data, "fuzz.png", ElementType.F32,
                PartialShape.of(1, 3, -1, -1), ImageInput.Preprocessing.NONE));
    }
}
