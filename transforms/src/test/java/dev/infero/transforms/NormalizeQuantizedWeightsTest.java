package dev.infero.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.testing.GraphBuilder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Quantized weights in the forms other tools write become {@code Multiply(Convert(i8 codes), scale)} with the same
 * values (bit for bit from integer codes; within a few ulps of the range from a FakeQuantize); forms without 8-bit
 * codes stay as they are.
 */
class NormalizeQuantizedWeightsTest {
    @Test
    void codesWithZeroPointsBecomeSignedCodesWithTheSameValues() {
        Random r = new Random(3);
        int[][] zeroPoints = {{128}, {100, 128, 155, 127}};
        for (int[] zp : zeroPoints) {
            GraphBuilder b = new GraphBuilder("w");
            Value x = b.input("x", ElementType.F32, 2, 5);
            Tensor codes = Tensor.allocate(ElementType.U8, 4, 5);
            for (int i = 0; i < codes.size(); i++) {
                int z = zp[zp.length == 1 ? 0 : i / 5];
                codes.setLong(i, Math.max(0, z - 128) + r.nextInt(Math.min(255, z + 127) - Math.max(0, z - 128) + 1));
            }
            Tensor z = Tensor.allocate(ElementType.U8, zp.length, 1);
            for (int c = 0; c < zp.length; c++) {
                z.setLong(c, zp[c]);
            }
            Value w = b.op(new Multiply(), b.op(new Subtract(), b.op(new Convert(ElementType.F32), b.constant(codes)),
                    b.op(new Convert(ElementType.F32), b.constant(z))), b.constant(Tensor.of(new float[] {0.5f, 0.25f,
                    0.125f, 0.0625f}, 4, 1)));
            b.output(b.op(new MatMul(false, true), x, w));
            Graph g = b.graph();
            float[] before = w.knownValue().floats().clone();
            assertEquals(1, new NormalizeQuantizedWeights().apply(g));
            float[] after = canonicalWeights(g);
            assertArrayEquals(before, after);
            assertEquals(0, new NormalizeQuantizedWeights().apply(g), "idempotent");
        }
    }

    @Test
    void fakeQuantizedWeightsBecomeCodesWithinUlpsOfTheRange() {
        Random r = new Random(4);
        for (long levels : new long[] {255, 256, 16}) {
            GraphBuilder b = new GraphBuilder("w");
            Value x = b.input("x", ElementType.F32, 2, 6);
            float[] values = new float[3 * 6];
            for (int i = 0; i < values.length; i++) {
                values[i] = r.nextFloat() * 2 - 1;
            }
            float[] hi = {1f, 0.7f, 0.3f};
            float[] lo = new float[3];
            for (int c = 0; c < 3; c++) {
                lo[c] = levels == 255 ? -hi[c] : -hi[c] * (levels / 2) / (levels / 2 - 1);
            }
            Value l = b.constant(Tensor.of(lo, 3, 1));
            Value h = b.constant(Tensor.of(hi, 3, 1));
            Value w = b.op(new FakeQuantize(levels), b.constant(Tensor.of(values, 3, 6)), l, h, l, h);
            b.output(b.op(new MatMul(false, true), x, w));
            Graph g = b.graph();
            float[] before = w.knownValue().floats().clone();
            assertEquals(1, new NormalizeQuantizedWeights().apply(g), "levels " + levels);
            float[] after = canonicalWeights(g);
            for (int i = 0; i < before.length; i++) {
                assertTrue(Math.abs(before[i] - after[i]) <= 8 * Math.ulp(1f), before[i] + " vs " + after[i]);
            }
        }
    }

    @Test
    void formsWithoutEightBitCodesStay() {
        GraphBuilder b = new GraphBuilder("w");
        Value x = b.input("x", ElementType.F32, 2, 3);
        // [-1, 1] in 256 levels: the zero point is 127.5
        Value w = b.op(new FakeQuantize(256), b.constant(Tensor.of(new float[] {0.3f, -0.2f, 0.9f}, 1, 3)),
                scalar(b, -1), scalar(b, 1), scalar(b, -1), scalar(b, 1));
        // u8 codes up to 255 without a zero point
        Tensor codes = Tensor.allocate(ElementType.U8, 1, 3);
        codes.setLong(0, 250);
        Value u = b.op(new Multiply(), b.op(new Convert(ElementType.F32), b.constant(codes)), scalar(b, 0.01f));
        b.output(b.op(new MatMul(false, true), x, w));
        b.output(b.op(new MatMul(false, true), x, u));
        assertEquals(0, new NormalizeQuantizedWeights().apply(b.graph()));
    }

    /** The MatMul's weights, checked to be {@code Multiply(Convert(i8 Const), scale)}. */
    private static float[] canonicalWeights(Graph g) {
        Node mm = g.nodes().stream().filter(n -> n.op() instanceof MatMul).findFirst().orElseThrow();
        Node mul = mm.input(1).node();
        assertTrue(mul.op() instanceof Multiply, mul.toString());
        Node convert = mul.input(0).node();
        assertTrue(convert.op() instanceof Convert, convert.toString());
        assertEquals(ElementType.I8, convert.input(0).knownValue().type());
        return mul.output(0).knownValue().floats();
    }

    private static Value scalar(GraphBuilder b, float v) {
        return b.constant(Tensor.scalar(v));
    }
}
