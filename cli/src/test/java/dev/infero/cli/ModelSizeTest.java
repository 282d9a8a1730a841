package dev.infero.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ModelSizeTest {
    @Test
    void sizeChangeSaysSmallerOrLargerNeverAFractionOfSmaller() {
        assertEquals("3.91x smaller", ModelSize.sizeChange(4_941_984, 1_263_196));
        // An ONNX file that computes its weights is smaller than its INT8 IR: "larger", not "0.01x smaller".
        assertEquals("342.96x larger", ModelSize.sizeChange(2_720, 932_852));
        assertEquals("the same size", ModelSize.sizeChange(10, 10));
        assertThrows(IllegalArgumentException.class, () -> ModelSize.sizeChange(0, 10));
    }

    @Test
    void fp32BytesAreFourPerParameter() {
        assertEquals(4 * 3_562L, new ModelSize(41, 3_562, 0).fp32Bytes());
    }
}
