package dev.infero.cpu.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Nearest resizes equal the reference however the output rows are cut into parts (1 to 5, run one after another),
 * through the gather and through the straight-line column repeats (width kept, width doubled).
 */
class NearestResizeStepTest {
    @ParameterizedTest(name = "{0}x{1} to {2}x{3}, {4}")
    @CsvSource({"4,5,8,10,asymmetric", "3,3,7,5,half_pixel", "6,4,3,9,align_corners", "1,1,4,4,asymmetric",
        "4,5,8,5,asymmetric", "3,4,6,8,half_pixel", "5,7,5,14,pytorch_half_pixel"})
    void everySplitMatchesTheReference(int h, int w, int oh, int ow, String coordinates) {
        int[] in = {2, 3, h, w};
        Graph g = new Graph("resize");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(in)).output(0);
        Value sizes = g.addConstant("sizes", Tensor.of(new long[] {oh, ow}, 2)).output(0);
        Value axes = g.addConstant("axes", Tensor.of(new long[] {2, 3}, 2)).output(0);
        var a = new Interpolate.Attributes("nearest", true, coordinates, "round_prefer_floor", false, -0.75, false, 0,
                "stretch");
        Value y = g.value(new Interpolate(a), "y", x, sizes, axes);
        NearestResizeStep step = NearestResizeStep.of(y.node());
        assertNotNull(step);
        if (ow == w || ow == 2 * w && !coordinates.equals("align_corners")) {
            assertEquals(ow / w, step.columnRepeat(), "straight-line column repeat");
        }
        Tensor data = Tensor.allocate(ElementType.F32, in);
        Random r = new Random(3);
        for (int i = 0; i < data.size(); i++) {
            data.floats()[i] = r.nextFloat();
        }
        Tensor[] inputs = {data, sizes.knownValue(), axes.knownValue()};
        int[] shape = y.shape().toArray();
        Tensor expected = Tensor.allocate(ElementType.F32, shape);
        y.node().op().evaluate(inputs, new Tensor[] {expected});
        for (int parts = 1; parts <= 5; parts++) {
            Tensor actual = Tensor.allocate(ElementType.F32, shape);
            step.runInParts(inputs, new Tensor[] {actual}, parts);
            assertArrayEquals(expected.floats(), actual.floats(), parts + " parts");
        }
    }
}
