package dev.infero.onnx.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxImporter;
import dev.infero.onnx.OnnxModelBuilder;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** How ONNX element-wise operators of every opset map to core ops, checked on constant inputs that fold. */
class ElementwiseOpsTest {
    /** A one-node model whose inputs are initializers {@code in0, in1, ...} (an empty name is an absent input). */
    private static Graph model(int opset, String op, Consumer<OnnxModelBuilder.NodeBuilder> attrs, Tensor... inputs) {
        return OneNodeModel.imported(opset, op, new String[] {"y"}, attrs, inputs);
    }

    private static Value output(Graph g) {
        return g.results().get(0).input(0);
    }

    private static Tensor run(int opset, String op, Consumer<OnnxModelBuilder.NodeBuilder> attrs, Tensor... inputs) {
        Tensor y = output(model(opset, op, attrs, inputs)).knownValue();
        assertTrue(y != null, "output folds");
        return y;
    }

    private static Tensor run(int opset, String op, Tensor... inputs) {
        return run(opset, op, n -> { }, inputs);
    }

    private static Tensor f32(float... v) {
        return Tensor.of(v, v.length);
    }

    private static Tensor scalar(float v) {
        return Tensor.of(new float[] {v});
    }

    private static boolean uses(Graph g, String type) {
        return g.nodes().stream().map(Node::type).anyMatch(type::equals);
    }

    @Test
    void clipBeforeOpset11TakesAttributesWithInfiniteDefaults() {
        Tensor x = f32(-2, 0, 2, Float.NEGATIVE_INFINITY);
        assertArrayEquals(new float[] {-1, 0, 1, -1}, run(6, "Clip", n -> n.attr("min", -1f).attr("max", 1f), x)
                .floats());
        assertArrayEquals(new float[] {-2, 0, 1, Float.NEGATIVE_INFINITY}, run(6, "Clip", n -> n.attr("max", 1f), x)
                .floats());
    }

    @Test
    void clipSinceOpset11TakesOptionalBoundInputs() {
        Tensor x = f32(-2, 0, 2);
        assertArrayEquals(new float[] {-1, 0, 1}, run(13, "Clip", x, scalar(-1), scalar(1)).floats());
        assertArrayEquals(new float[] {-2, 0, 1}, run(13, "Clip", x, null, scalar(1)).floats());
        assertArrayEquals(new float[] {0, 0, 2}, run(13, "Clip", x, scalar(0)).floats());
        Graph none = model(13, "Clip", n -> { }, x);
        assertFalse(uses(none, "Clamp"), "no bounds, no clamp");
        assertArrayEquals(new float[] {1, 1, 1}, run(13, "Clip", x, scalar(2), scalar(1)).floats(),
                "min > max gives max");
    }

    @Test
    void clipOfIntegersClampsInTheirType() {
        Tensor x = Tensor.allocate(ElementType.I8, 3);
        x.bytes()[0] = -100;
        x.bytes()[2] = 100;
        Tensor lo = Tensor.allocate(ElementType.I8);
        lo.bytes()[0] = -5;
        assertArrayEquals(new long[] {-5, 0, 100}, run(13, "Clip", x, lo).toLongArray());
    }

    @Test
    void clipWithRunTimeBoundsUsesMaximumThenMinimum() {
        OnnxModelBuilder b = new OnnxModelBuilder("m", 13).input("x", ElementType.F32, 3)
                .input("lo", ElementType.F32).input("hi", ElementType.F32).output("y", ElementType.F32);
        b.node("Clip", "clip").inputs("x", "lo", "hi").outputs("y");
        Graph g = OnnxImporter.importModel(b.build(), null, "m");
        assertEquals("Minimum", output(g).node().type());
        assertEquals("Maximum", output(g).node().input(0).node().type());
    }

    @Test
    void powConvertsTheExponentToTheBaseType() {
        Graph g = model(15, "Pow", n -> { }, f32(2, 3), Tensor.of(new long[] {3, 2}, 2));
        assertTrue(uses(g, "Convert"));
        assertArrayEquals(new float[] {8, 9}, output(g).knownValue().floats());
        Tensor ints = run(15, "Pow", Tensor.of(new int[] {2, 3}, 2), f32(3, 2));
        assertEquals(ElementType.I32, ints.type());
        assertArrayEquals(new int[] {8, 9}, ints.ints());
    }

    @Test
    void modIsFlooredByDefaultAndTruncatedWithFmod() {
        Tensor a = Tensor.of(new long[] {-4, 7}, 2);
        Tensor b = Tensor.of(new long[] {3, -3}, 2);
        assertArrayEquals(new long[] {2, -2}, run(13, "Mod", a, b).longs());
        assertArrayEquals(new long[] {-1, 1}, run(13, "Mod", n -> n.attr("fmod", new long[] {1}), a, b).longs());
    }

    @Test
    void sumAndMeanBroadcastAllInputs() {
        Tensor a = f32(1, 2, 3);
        Tensor b = scalar(3);
        Tensor c = Tensor.of(new float[] {2, 5}, 2, 1);
        Tensor sum = run(13, "Sum", a, b, c);
        assertArrayEquals(new int[] {2, 3}, sum.shape());
        assertArrayEquals(new float[] {6, 7, 8, 9, 10, 11}, sum.floats());
        assertArrayEquals(new float[] {2, 7f / 3, 8f / 3, 3, 10f / 3, 11f / 3}, run(13, "Mean", a, b, c).floats());
        assertArrayEquals(new float[] {1, 2, 3}, run(13, "Mean", a).floats());
    }

    @Test
    void leakyReluIsPReluWithAScalarSlope() {
        Graph g = model(16, "LeakyRelu", n -> { }, f32(-100, 5));
        assertTrue(uses(g, "PReLU"));
        assertArrayEquals(new float[] {-1, 5}, output(g).knownValue().floats());
        assertArrayEquals(new float[] {-50, 5},
                run(16, "LeakyRelu", n -> n.attr("alpha", 0.5f), f32(-100, 5)).floats());
    }

    @Test
    void decomposedActivationsMatchTheOnnxFormulas() {
        Tensor x = f32(-2, -0.25f, 0, 0.25f, 3);
        float[] selu = run(6, "Selu", x).floats();
        float[] hardSigmoid = run(6, "HardSigmoid", x).floats();
        float[] celu = run(12, "Celu", n -> n.attr("alpha", 2f), x).floats();
        float[] thresholded = run(10, "ThresholdedRelu", n -> n.attr("alpha", 0.2f), x).floats();
        float[] shrink = run(9, "Shrink", n -> n.attr("lambd", 0.5f).attr("bias", 1f), x).floats();
        for (int i = 0; i < x.size(); i++) {
            double v = x.floats()[i];
            assertEquals(1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1)), selu[i], 1e-6);
            assertEquals(Math.max(0, Math.min(1, 0.2 * v + 0.5)), hardSigmoid[i], 1e-6);
            assertEquals(Math.max(0, v) + Math.min(0, 2 * (Math.exp(v / 2) - 1)), celu[i], 1e-6);
            assertEquals(v > 0.2 ? v : 0, thresholded[i], 1e-6);
            assertEquals(v < -0.5 ? v + 1 : v > 0.5 ? v - 1 : 0, shrink[i], 1e-6);
        }
        assertArrayEquals(new float[] {1, 2}, run(13, "Reciprocal", f32(1, 0.5f)).floats());
    }

    @Test
    void geluChoosesItsApproximation() {
        assertEquals("Gelu(approximation_mode=erf)",
                output(model(20, "Gelu", n -> { }, f32(1))).node().op().toString());
        assertEquals("Gelu(approximation_mode=tanh)",
                output(model(20, "Gelu", n -> n.attr("approximate", "tanh"), f32(1))).node().op().toString());
    }

    @Test
    void whereBroadcastsAllThreeInputs() {
        Tensor cond = Tensor.allocate(ElementType.BOOLEAN, 2, 1);
        cond.bytes()[1] = 1;
        Tensor y = run(16, "Where", cond, f32(1, 2), scalar(0));
        assertArrayEquals(new int[] {2, 2}, y.shape());
        assertArrayEquals(new float[] {0, 0, 1, 2}, y.floats());
    }

    @Test
    void castLikeTakesTheTypeOfItsSecondInput() {
        Tensor y = run(15, "CastLike", f32(1.9f, -1.9f), Tensor.of(new long[] {0}, 1));
        assertEquals(ElementType.I64, y.type());
        assertArrayEquals(new long[] {1, -1}, y.longs());
    }

    @Test
    void comparisonsAndLogicGiveBooleans() {
        Tensor y = run(13, "GreaterOrEqual", f32(1, 2, 3), scalar(2));
        assertEquals(ElementType.BOOLEAN, y.type());
        assertArrayEquals(new byte[] {0, 1, 1}, y.bytes());
        assertEquals(ElementType.BOOLEAN, run(13, "Not", y).type());
    }

    @Test
    void bitShiftNeedsADirection() {
        Tensor x = Tensor.of(new long[] {1}, 1);
        InferoException e = assertThrows(InferoException.class,
                () -> model(11, "BitShift", n -> n.attr("direction", "UP"), x, x));
        assertTrue(e.getMessage().contains("direction must be LEFT or RIGHT, got 'UP'"), e.getMessage());
        assertArrayEquals(new long[] {2}, run(11, "BitShift", n -> n.attr("direction", "LEFT"), x, x).longs());
    }
}
