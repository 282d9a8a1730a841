package dev.infero.core.ops.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeformableConvolutionTest {
    private static final WindowGeometry PAD1 = new WindowGeometry(new long[] {1, 1}, new long[] {1, 1},
            new long[] {1, 1}, new long[] {1, 1}, AutoPad.EXPLICIT, false);

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.allocate(dev.infero.core.types.ElementType.F32, shape);
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = r.nextFloat() - 0.5f;
        }
        return t;
    }

    @Test
    void zeroOffsetsAndAUnitMaskAreAPlainGroupedConvolution() {
        Random r = new Random(1);
        Tensor x = random(r, 1, 4, 5, 6);
        Tensor w = random(r, 6, 2, 3, 3);
        Tensor offsets = Tensor.allocate(dev.infero.core.types.ElementType.F32, 1, 2 * 9 * 2, 5, 6);
        Tensor mask = Tensor.allocate(dev.infero.core.types.ElementType.F32, 1, 2 * 9, 5, 6);
        java.util.Arrays.fill(mask.floats(), 1f);
        Graph g = new Graph("t");
        Value xv = g.addConstant("x", x).output(0);
        Value deformable = g.value(new DeformableConvolution(PAD1, 2, 2, true), "d", xv,
                g.addConstant("o", offsets).output(0), g.addConstant("w", w).output(0), g.addConstant("m", mask).output(0));
        Value grouped = g.value(new GroupConvolution(PAD1), "c", xv, g.addConstant("gw",
                Tensor.of(w.floats(), 2, 3, 2, 3, 3)).output(0));
        assertEquals(PartialShape.of(1, 6, 5, 6), deformable.shape());
        float[] expected = grouped.knownValue().toFloatArray();
        float[] actual = deformable.knownValue().toFloatArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5, "element " + i);
        }
    }

    @Test
    void anOffsetOfHalfAPixelInterpolatesAndZeroPadsBeyondTheEdge() {
        // 1×1 kernel over [[1, 2]]: the tap moved right by 0.5 reads 1.5, then 2·0.5 (half beyond the edge).
        WindowGeometry none = new WindowGeometry(new long[] {1, 1}, new long[] {1, 1}, new long[2], new long[2],
                AutoPad.EXPLICIT, false);
        Graph g = new Graph("t");
        Value y = g.value(new DeformableConvolution(none, 1, 1, true), "d",
                g.addConstant("x", Tensor.of(new float[] {1, 2}, 1, 1, 1, 2)).output(0),
                g.addConstant("o", Tensor.of(new float[] {0, 0, 0.5f, 0.5f}, 1, 2, 1, 2)).output(0),
                g.addConstant("w", Tensor.of(new float[] {1}, 1, 1, 1, 1)).output(0));
        assertArrayEquals(new float[] {1.5f, 1f}, y.knownValue().toFloatArray());
    }
}
