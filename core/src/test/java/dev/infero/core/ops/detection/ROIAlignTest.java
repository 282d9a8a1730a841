package dev.infero.core.ops.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

class ROIAlignTest {
    /** One 2×2 image [[1, 2], [3, 4]]. */
    private static final Tensor IMAGE = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);

    private static Value roiAlign(ROIAlign.AlignedMode mode, long batchIndex) {
        Graph g = new Graph("t");
        Value data = g.addConstant("data", IMAGE).output(0);
        Value rois = g.addConstant("rois", Tensor.of(new float[] {0, 0, 2, 2}, 1, 4)).output(0);
        Value indices = g.addConstant("indices", Tensor.vector(batchIndex)).output(0);
        return g.value(new ROIAlign(1, 1, 2, 1f, "avg", mode), "roi", data, rois, indices);
    }

    @Test
    void halfPixelSamplesThePixelCentresOfAWholeImageBox() {
        Value y = roiAlign(ROIAlign.AlignedMode.HALF_PIXEL, 0);
        assertEquals(PartialShape.of(1, 1, 1, 1), y.shape());
        assertArrayEquals(new float[] {2.5f}, y.knownValue().toFloatArray());
    }

    @Test
    void asymmetricSamplesAreHalfAPixelFurtherAndClampAtTheEdge() {
        // Samples at (0.5, 0.5) = 2.5, (0.5, 1.5 → 1) = 3, (1.5 → 1, 0.5) = 3.5, (1.5, 1.5 → 1, 1) = 4.
        assertArrayEquals(new float[] {3.25f}, roiAlign(ROIAlign.AlignedMode.ASYMMETRIC, 0).knownValue()
                .toFloatArray());
    }

    @Test
    void aBatchIndexOutsideTheImagesIsNamed() {
        InferoException e = assertThrows(InferoException.class, () -> roiAlign(ROIAlign.AlignedMode.HALF_PIXEL, 3));
        assertTrue(e.getMessage().contains("batch index 3"), e.getMessage());
    }
}
