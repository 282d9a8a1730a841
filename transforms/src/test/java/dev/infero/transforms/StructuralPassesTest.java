package dev.infero.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.Pad;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.testing.RandomData;
import dev.infero.testing.TensorAssert;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Pad folding and transpose-pair removal keep every value; the graphs take a constant input so values are known. */
class StructuralPassesTest {
    private static List<String> types(Graph g) {
        return g.nodes().stream().map(Node::type).filter(t -> !t.equals("Const")).toList();
    }

    private static Value padded(Graph g, Value x, long[] begin, long[] end, float value) {
        return g.value(new Pad(Pad.Mode.CONSTANT), "pad", x, g.addConstant("pb", Tensor.vector(begin)).output(0),
                g.addConstant("pe", Tensor.vector(end)).output(0), g.addConstant("pv", Tensor.scalar(value)).output(0));
    }

    private static Value conv(Graph g, Random r, Value x, long pad) {
        WindowGeometry w = new WindowGeometry(new long[] {2, 2}, new long[] {1, 1}, new long[] {pad, pad},
                new long[] {pad, pad}, AutoPad.EXPLICIT, false);
        return g.value(new Convolution(w), "conv", x, g.addConstant("w", RandomData.tensor(r, 4, 3, 3, 3)).output(0));
    }

    @Test
    void aZeroSpatialPadBecomesConvolutionPadding() {
        Random r = new Random(1);
        Graph g = new Graph("m");
        Value x = g.addConstant("x", RandomData.tensor(r, 1, 3, 7, 8)).output(0);
        Value y = conv(g, r, padded(g, x, new long[] {0, 0, 0, 1}, new long[] {0, 0, 2, 1}, 0), 1);
        g.addResult("y", y);
        Tensor before = g.results().get(0).input(0).knownValue().copy();
        assertEquals(1, new FoldPadIntoConvolution().apply(g));
        assertEquals(List.of("Convolution", "Result"), types(g));
        Convolution c = (Convolution) g.results().get(0).input(0).node().op();
        assertArrayEquals(new long[] {1, 2}, c.window().padsBegin());
        assertArrayEquals(new long[] {3, 2}, c.window().padsEnd());
        assertTrue(before.contentEquals(g.results().get(0).input(0).knownValue()));
    }

    private static Value fakeQuantize(Graph g, Value x, float low, float high) {
        Value[] r = new Value[4];
        for (int i = 0; i < 4; i++) {
            r[i] = g.addConstant("fq_r" + i, Tensor.of(new float[] {i % 2 == 0 ? low : high}, 1, 1, 1, 1)).output(0);
        }
        return g.value(new FakeQuantize(256), "fq", x, r[0], r[1], r[2], r[3]);
    }

    /**
     * In an INT8 model the Pad is read through the convolution's FakeQuantize; with an integer zero point (0 is a
     * level) the FakeQuantize takes the unpadded tensor and the convolution the padding, and every value it
     * computes stays within float rounding (FakeQuantize(0) is 0 up to it).
     */
    @Test
    void aPadReadThroughAFakeQuantizeThatKeepsZeroIsFoldedToo() {
        Random r = new Random(3);
        Graph g = new Graph("m");
        Value x = g.addConstant("x", RandomData.tensor(r, 1, 3, 7, 8)).output(0);
        Value quantized = fakeQuantize(g, padded(g, x, new long[] {0, 0, 1, 0}, new long[] {0, 0, 1, 2}, 0), -1f,
                127f / 128);
        g.addResult("y", conv(g, r, quantized, 0));
        Tensor before = g.results().get(0).input(0).knownValue().copy();
        assertEquals(1, new FoldPadIntoConvolution().apply(g));
        assertEquals(List.of("FakeQuantize", "Convolution", "Result"), types(g));
        Convolution c = (Convolution) g.results().get(0).input(0).node().op();
        assertArrayEquals(new long[] {1, 0}, c.window().padsBegin());
        assertArrayEquals(new long[] {1, 2}, c.window().padsEnd());
        TensorAssert.assertClose(before, g.results().get(0).input(0).knownValue(), 1e-5, 1e-5);

        Graph h = new Graph("asymmetric");
        Value y = h.addConstant("x", RandomData.tensor(r, 1, 3, 7, 8)).output(0);
        Value off = fakeQuantize(h, padded(h, y, new long[] {0, 0, 1, 0}, new long[] {0, 0, 1, 2}, 0), -0.3f, 1.7f);
        h.addResult("y", conv(h, r, off, 0));
        assertEquals(0, new FoldPadIntoConvolution().apply(h), "0 is no level of [-0.3, 1.7]: the Pad stays");
    }

    @Test
    void padsOfChannelsOrWithANonZeroValueStay() {
        Random r = new Random(2);
        Graph g = new Graph("m");
        Value x = g.addConstant("x", RandomData.tensor(r, 1, 3, 7, 8)).output(0);
        g.addResult("a", conv(g, r, padded(g, x, new long[] {0, 0, 1, 1}, new long[] {0, 0, 1, 1}, 0.5f), 0));
        Value channelPad = padded(g, g.addConstant("x2", RandomData.tensor(r, 1, 2, 7, 8)).output(0), new long[] {0, 1, 0, 0},
                new long[] {0, 0, 0, 0}, 0);
        g.addResult("b", conv(g, r, channelPad, 0));
        assertEquals(0, new FoldPadIntoConvolution().apply(g));
    }

    @Test
    void transposesThatCancelAreRemoved() {
        Graph g = new Graph("m");
        Value x = g.addParameter("x", ElementType.F32, dev.infero.core.types.PartialShape.of(2, 3, 4)).output(0);
        Value t1 = g.value(new Transpose(), "t1", x, g.addConstant("p1", Tensor.vector(1, 2, 0)).output(0));
        Value t2 = g.value(new Transpose(), "t2", t1, g.addConstant("p2", Tensor.vector(2, 0, 1)).output(0));
        Value t3 = g.value(new Transpose(), "t3", t2, g.addConstant("p3", Tensor.vector(0, 2, 1)).output(0));
        g.addResult("y", t3);
        assertEquals(1, new RemoveTransposePairs().apply(g));
        assertEquals(List.of("Parameter", "Transpose", "Result"), types(g));
        assertTrue(g.results().get(0).input(0).node().input(0) == x);
    }
}
