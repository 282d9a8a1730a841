package dev.infero.core.ops.misc;

import static dev.infero.core.ops.OpHarness.assertFloats;
import static dev.infero.core.ops.OpHarness.assertRoundTrips;
import static dev.infero.core.ops.OpHarness.eval;
import static dev.infero.core.ops.OpHarness.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

/** STFT frames and transforms; MelWeightMatrix builds triangles that peak at 1. */
class SignalOpsTest {
    @Test
    void stftTransformsEachWindowedFrame() {
        // a cosine of period 4 over 8 samples; frames of 4 every 2 samples: bin 1 holds 4/2 = 2 (real), bin 0 and 2 zero
        float[] x = new float[8];
        for (int i = 0; i < 8; i++) {
            x[i] = (float) Math.cos(2 * Math.PI * i / 4);
        }
        Tensor y = eval(new Stft(true), Tensor.of(x, 1, 8, 1), Tensor.scalar(2L), Tensor.of(new float[] {1, 1, 1, 1}, 4));
        assertArrayEquals(new int[] {1, 3, 3, 2}, y.shape());
        // frame 0 starts at phase 0: X[1] = 2; frame 1 starts half a period later: X[1] = -2
        assertFloats(new float[] {0, 0, 2, 0, 0, 0, 0, 0, -2, 0, 0, 0, 0, 0, 2, 0, 0, 0}, y, 1e-6);
        Tensor both = eval(new Stft(false), Tensor.of(x, 1, 8, 1), Tensor.scalar(4L),
                Tensor.of(new float[] {1, 1, 1, 1}, 4));
        assertArrayEquals(new int[] {1, 2, 4, 2}, both.shape()); // bin 3 mirrors bin 1
        assertEquals(2, both.getDouble(6), 1e-6);
        // a signal known only at run time: frames follow from the length, the step and the window
        assertEquals(PartialShape.of(1, 3, 3, 2), dev.infero.core.ops.OpHarness.infer(new Stft(true), ElementType.F32,
                PartialShape.of(1, 8, 1), Tensor.scalar(2L), Tensor.of(new float[4], 4)).output(0).shape());
        assertThrows(InferoException.class, () -> eval(new Stft(true), Tensor.of(x, 1, 8, 1), Tensor.scalar(2L),
                Tensor.of(new float[9], 9)));
        assertRoundTrips(new Stft(false));
    }

    @Test
    void melFiltersAreTrianglesOverTheSpectrogramBins() {
        Tensor m = eval(new MelWeightMatrix(ElementType.F32), Tensor.scalar(4L), Tensor.scalar(32L),
                Tensor.scalar(16000L), Tensor.scalar(0f), Tensor.scalar(8000f));
        assertArrayEquals(new int[] {17, 4}, m.shape());
        for (int mel = 0; mel < 4; mel++) {
            double peak = 0;
            for (int bin = 0; bin < 17; bin++) {
                peak = Math.max(peak, m.getDouble(bin * 4 + mel));
            }
            assertEquals(1, peak, 1e-9, "filter " + mel);
        }
        assertEquals(PartialShape.of(17, 4), shape(new MelWeightMatrix(ElementType.F32), Tensor.scalar(4L),
                Tensor.scalar(32L), Tensor.scalar(16000L), Tensor.scalar(0f), Tensor.scalar(8000f)));
        assertRoundTrips(new MelWeightMatrix(ElementType.F64));
    }
}
