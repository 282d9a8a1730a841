package dev.infero.core.ops.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.op.AttributeSink;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

class PoolingTest {
    private static Value eval(Op op, Tensor x) {
        Graph g = new Graph("t");
        return g.add(op, "op", g.addConstant("x", x).output(0)).output(0);
    }

    private static WindowGeometry window(long dilation, long pad) {
        return new WindowGeometry(new long[] {1}, new long[] {dilation}, new long[] {pad}, new long[] {pad},
                AutoPad.EXPLICIT, false);
    }

    private static final Tensor X = Tensor.of(new float[] {1, 2, 3, 4, 5}, 1, 1, 5);

    @Test
    void dilatedAverageSkipsTheTapsBetween() {
        Value y = eval(new AvgPool(new long[] {2}, window(2, 0), false), X);
        assertEquals(PartialShape.of(1, 1, 3), y.shape());
        assertArrayEquals(new float[] {2, 3, 4}, y.knownValue().toFloatArray());
    }

    @Test
    void dilatedAverageWithPaddingCountsPaddedTapsOnlyWhenAsked() {
        // Window taps at i-1 and i+1 (pad 1, dilation 2): the first and last windows have one tap in the padding.
        assertArrayEquals(new float[] {1, 2, 3, 4, 2}, eval(new AvgPool(new long[] {2}, window(2, 1), false), X)
                .knownValue().toFloatArray());
        assertArrayEquals(new float[] {2, 2, 3, 4, 4}, eval(new AvgPool(new long[] {2}, window(2, 1), true), X)
                .knownValue().toFloatArray());
    }

    @Test
    void irAttributesCarryDilationsOnlyWhenNotOne() {
        AttributeSink.Text plain = new AttributeSink.Text();
        new AvgPool(new long[] {2}, window(1, 0), false).describe(plain);
        assertFalse(plain.values().containsKey("dilations"));
        AttributeSink.Text dilated = new AttributeSink.Text();
        new AvgPool(new long[] {2}, window(2, 0), false).describe(dilated);
        assertEquals("2", dilated.values().get("dilations"));
    }

    @Test
    void maxPool8IndicesHonourIndexTypeAndAxis() {
        // Two planes of [1, 3, 1, 2]: maxima at the second tap of each window.
        Tensor x = Tensor.of(new float[] {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6}, 2, 1, 3, 2);
        WindowGeometry w = new WindowGeometry(new long[] {1, 1}, new long[] {1, 1}, new long[] {0, 0},
                new long[] {0, 0}, AutoPad.EXPLICIT, false);
        Graph g = new Graph("t");
        var wholeI64 = g.add(new MaxPool(new long[] {1, 2}, w, true), "a", g.addConstant("x", x).output(0));
        assertArrayEquals(new long[] {1, 3, 5, 7, 9, 11}, wholeI64.output(1).knownValue().longs());
        var planeI32 = g.add(new MaxPool(new long[] {1, 2}, w, true, dev.infero.core.types.ElementType.I32, 2), "b",
                g.addConstant("x2", x).output(0));
        assertEquals(dev.infero.core.types.ElementType.I32, planeI32.output(1).type());
        assertArrayEquals(new int[] {1, 3, 5, 1, 3, 5}, planeI32.output(1).knownValue().ints());
        var fromEnd = g.add(new MaxPool(new long[] {1, 2}, w, true, dev.infero.core.types.ElementType.I64, -1), "c",
                g.addConstant("x3", x).output(0));
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1}, fromEnd.output(1).knownValue().longs());
        AttributeSink.Text text = new AttributeSink.Text();
        planeI32.op().describe(text);
        assertEquals("i32", text.values().get("index_element_type"));
        assertEquals("2", text.values().get("axis"));
    }

    @Test
    void maxPool8RejectsAnAxisOutsideTheInputRank() {
        WindowGeometry w = new WindowGeometry(new long[] {1, 1}, new long[] {1, 1}, new long[] {0, 0},
                new long[] {0, 0}, AutoPad.EXPLICIT, false);
        Graph g = new Graph("t");
        var x = g.addConstant("x", Tensor.of(new float[4], 1, 1, 2, 2)).output(0);
        var e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> g.add(new MaxPool(new long[] {1, 1}, w, true, dev.infero.core.types.ElementType.I64, 4), "p", x));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("axis 4"), e.getMessage());
    }
}
