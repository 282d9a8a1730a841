package dev.infero.core.ops.image;

import dev.infero.core.ops.OpHarness;
import static dev.infero.core.ops.OpHarness.floats;
import static dev.infero.core.ops.OpHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

class InterpolateTest {
    private static final Tensor ROW = Tensor.of(new float[] {0, 10}, 1, 2);

    private static Interpolate op(String mode, boolean sizes, String coordinates) {
        return new Interpolate(new Interpolate.Attributes(mode, sizes, coordinates, "round_prefer_floor", false, -0.75,
                false, 0, "stretch"));
    }

    @Test
    void linearHalfPixelClampsAtTheEdges() {
        Node n = run(op("linear_onnx", false, "half_pixel"), ROW, Tensor.of(new float[] {1, 2}, 2));
        // x = (o + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25
        assertArrayEquals(new float[] {0, 2.5f, 7.5f, 10}, floats(n.output(0)));
    }

    @Test
    void linearAlignCornersHitsBothEnds() {
        Node n = run(op("linear_onnx", true, "align_corners"), ROW, Tensor.of(new long[] {1, 3}, 2));
        assertArrayEquals(new float[] {0, 5, 10}, floats(n.output(0)));
    }

    @Test
    void nearestAsymmetricRoundsByNearestMode() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        Node n = run(op("nearest", true, "asymmetric"), x, Tensor.of(new long[] {2}, 1));
        // scale 2/3: x = 0, 1.5 -> round_prefer_floor gives 0, 1
        assertArrayEquals(new float[] {1, 2}, floats(n.output(0)));
    }

    @Test
    void scalesGiveFlooredSizesOnTheListedAxes() {
        Node n = OpHarness.infer(op("nearest", false, "asymmetric"), ElementType.F32,
                PartialShape.of(PartialShape.DYNAMIC, 3, 5), Tensor.of(new float[] {1.5f}, 1), Tensor.vector(-1));
        assertEquals(PartialShape.of(PartialShape.DYNAMIC, 3, 7), n.output(0).shape());
    }

    @Test
    void keepAspectRatioNotLargerUsesOneScale() {
        Interpolate op = new Interpolate(new Interpolate.Attributes("nearest", true, "asymmetric",
                "round_prefer_floor", false, -0.75, false, 0, "not_larger"));
        Node n = OpHarness.infer(op, ElementType.F32, PartialShape.of(1, 4, 6), Tensor.of(new long[] {8, 8}, 2),
                Tensor.vector(1, 2));
        // scale = min(8/4, 8/6) = 4/3 -> round(5.33) = 5, 8
        assertEquals(PartialShape.of(1, 5, 8), n.output(0).shape());
    }

    @Test
    void rejectsModesOutsideTheSupportedSet() {
        assertThrows(IllegalArgumentException.class, () -> op("bicubic_pillow", true, "half_pixel"));
    }
}
