package dev.infero.core.ops.nn;

import static dev.infero.core.ops.OpHarness.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

class ConvolutionBackpropDataTest {
    private static WindowGeometry window(long stride, long padBegin, long padEnd, AutoPad autoPad) {
        return new WindowGeometry(new long[] {stride}, new long[] {1}, new long[] {padBegin}, new long[] {padEnd},
                autoPad, false);
    }

    /** One input channel [1, 2] through kernel [1, 10] with stride 2: each input writes its scaled kernel. */
    private static final Tensor X = Tensor.of(new float[] {1, 2}, 1, 1, 2);
    private static final Tensor W = Tensor.of(new float[] {1, 10}, 1, 1, 2);

    @Test
    void stridedScatterWithoutPadding() {
        Value y = value(new ConvolutionBackpropData(window(2, 0, 0, AutoPad.EXPLICIT), new long[] {0}), X, W);
        assertEquals(PartialShape.of(1, 1, 4), y.shape());
        assertArrayEquals(new float[] {1, 10, 2, 20}, y.knownValue().toFloatArray());
    }

    @Test
    void padsCropAndOutputPaddingExtendsTheEnd() {
        Value y = value(new ConvolutionBackpropData(window(2, 1, 0, AutoPad.EXPLICIT), new long[] {1}), X, W);
        assertArrayEquals(new float[] {10, 2, 20, 0}, y.knownValue().toFloatArray());
    }

    @Test
    void overlappingTapsAccumulate() {
        Value y = value(new ConvolutionBackpropData(window(1, 0, 0, AutoPad.EXPLICIT), new long[] {0}), X, W);
        assertArrayEquals(new float[] {1, 12, 20}, y.knownValue().toFloatArray());
    }

    @Test
    void outputShapeWithSameLowerCropsTheOddExcessAtTheStart() {
        // Uncropped length 4, requested 3: one position cropped, at the start for same_lower.
        Value lower = value(new ConvolutionBackpropData(window(2, 0, 0, AutoPad.SAME_LOWER), new long[] {0}), X, W,
                Tensor.vector(3));
        assertArrayEquals(new float[] {10, 2, 20}, lower.knownValue().toFloatArray());
        Value upper = value(new ConvolutionBackpropData(window(2, 0, 0, AutoPad.SAME_UPPER), new long[] {0}), X, W,
                Tensor.vector(3));
        assertArrayEquals(new float[] {1, 10, 2}, upper.knownValue().toFloatArray());
    }

    @Test
    void groupsUseTheirOwnChannels() {
        // 2 groups, one channel each; weights [G=2, 1, 1, k=1].
        Tensor x = Tensor.of(new float[] {1, 2}, 1, 2, 1);
        Tensor w = Tensor.of(new float[] {3, 5}, 2, 1, 1, 1);
        Value y = value(new GroupConvolutionBackpropData(window(1, 0, 0, AutoPad.EXPLICIT), new long[] {0}), x, w);
        assertEquals(PartialShape.of(1, 2, 1), y.shape());
        assertArrayEquals(new float[] {3, 10}, y.knownValue().toFloatArray());
    }
}
