package dev.infero.cpu.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Linear resizes equal the reference (to float rounding) on random shapes, up and down, by sizes and by scales, in
 * every coordinate mode, however the output rows are cut into parts (1 to 4, run one after another).
 */
class LinearResizeStepTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"half_pixel", "pytorch_half_pixel", "asymmetric", "tf_half_pixel_for_nn", "align_corners",
            "half_pixel_symmetric"})
    void randomShapesMatchTheReference(String coordinates) {
        Random r = new Random(coordinates.hashCode());
        for (int trial = 0; trial < 12; trial++) {
            int n = 1 + r.nextInt(2);
            int c = 1 + r.nextInt(3);
            int h = 1 + r.nextInt(9);
            int w = 1 + r.nextInt(11);
            boolean sizes = r.nextBoolean();
            Graph g = new Graph("resize");
            Value x = g.addParameter("x", ElementType.F32, PartialShape.of(n, c, h, w)).output(0);
            Value values;
            if (sizes) {
                values = g.addConstant("sizes", Tensor.of(new long[] {1 + r.nextInt(19), 1 + r.nextInt(23)}, 2))
                        .output(0);
            } else {
                float[] scales = {(1 + r.nextInt(12)) / 4f, (1 + r.nextInt(12)) / 4f};
                if (Math.floor(h * scales[0]) < 1 || Math.floor(w * scales[1]) < 1) {
                    scales = new float[] {2, 2};
                }
                values = g.addConstant("scales", Tensor.of(scales, 2)).output(0);
            }
            Value axes = g.addConstant("axes", Tensor.of(new long[] {2, 3}, 2)).output(0);
            var a = new Interpolate.Attributes("linear_onnx", sizes, coordinates, "round_prefer_floor", false, -0.75,
                    false, 0, "stretch");
            Value y = g.value(new Interpolate(a), "y", x, values, axes);
            LinearResizeStep step = LinearResizeStep.of(y.node());
            assertNotNull(step, y.shape().toString());
            Tensor data = Tensor.allocate(ElementType.F32, n, c, h, w);
            for (int i = 0; i < data.size(); i++) {
                data.floats()[i] = r.nextFloat() * 2 - 1;
            }
            Tensor[] inputs = {data, values.knownValue(), axes.knownValue()};
            int[] shape = y.shape().toArray();
            Tensor expected = Tensor.allocate(ElementType.F32, shape);
            y.node().op().evaluate(inputs, new Tensor[] {expected});
            for (int parts = 1; parts <= 4; parts++) {
                Tensor actual = Tensor.allocate(ElementType.F32, shape);
                step.runInParts(inputs, new Tensor[] {actual}, parts);
                for (int i = 0; i < expected.size(); i++) {
                    assertEquals(expected.floats()[i], actual.floats()[i], 1e-5f,
                            coordinates + " " + h + "x" + w + " to " + y.shape() + ", " + parts + " parts, at " + i);
                }
            }
        }
    }

    @Test
    void antialiasAndResizesOfBatchOrChannelsStayOnTheReference() {
        Graph g = new Graph("resize");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(1, 2, 4, 4)).output(0);
        Value axes = g.addConstant("axes", Tensor.of(new long[] {2, 3}, 2)).output(0);
        Value scales = g.addConstant("scales", Tensor.of(new float[] {0.5f, 0.5f}, 2)).output(0);
        var antialias = new Interpolate.Attributes("linear_onnx", false, "half_pixel", "round_prefer_floor", true,
                -0.75, false, 0, "stretch");
        assertNull(LinearResizeStep.of(g.value(new Interpolate(antialias), "y", x, scales, axes).node()));
        Value channelAxes = g.addConstant("axes2", Tensor.of(new long[] {1, 3}, 2)).output(0);
        Value channelScales = g.addConstant("scales2", Tensor.of(new float[] {2, 2}, 2)).output(0);
        var plain = Interpolate.Attributes.of("linear_onnx", false);
        assertNull(LinearResizeStep.of(g.value(new Interpolate(plain), "z", x, channelScales, channelAxes).node()));
    }
}
