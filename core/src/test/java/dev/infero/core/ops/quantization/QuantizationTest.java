package dev.infero.core.ops.quantization;

import static dev.infero.core.ops.OpHarness.floats;
import static dev.infero.core.ops.OpHarness.longs;
import static dev.infero.core.ops.OpHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import org.junit.jupiter.api.Test;

class QuantizationTest {
    @Test
    void fakeQuantizeClampsBelowAndAboveTheInputRange() {
        Tensor x = Tensor.of(new float[] {-5, 0, 0.26f, 0.5f, 1, 7}, 6);
        float[] out = floats(run(new FakeQuantize(5), x, Tensor.scalar(0f), Tensor.scalar(1f), Tensor.scalar(-1f),
                Tensor.scalar(1f)).output(0));
        // levels 5 over [0, 1] -> steps of 0.25, mapped onto [-1, 1] in steps of 0.5
        assertArrayEquals(new float[] {-1, -1, -0.5f, 0, 1, 1}, out);
    }

    @Test
    void fakeQuantizeRoundsTiesToEven() {
        // (x - 0) / 4 * 4 = x: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2
        Tensor x = Tensor.of(new float[] {0.5f, 1.5f, 2.5f}, 3);
        float[] out = floats(run(new FakeQuantize(5), x, Tensor.scalar(0f), Tensor.scalar(4f), Tensor.scalar(0f),
                Tensor.scalar(4f)).output(0));
        assertArrayEquals(new float[] {0, 2, 2}, out);
    }

    @Test
    void fakeQuantizeBroadcastsPerChannelRanges() {
        Tensor x = Tensor.of(new float[] {0.4f, 0.4f, 3, 3}, 2, 2);
        Tensor low = Tensor.of(new float[] {0, 0}, 2, 1);
        Tensor high = Tensor.of(new float[] {1, 4}, 2, 1);
        float[] out = floats(run(new FakeQuantize(2), x, low, high, low, high).output(0));
        assertArrayEquals(new float[] {0, 0, 4, 4}, out);
    }

    @Test
    void quantizeLinearRoundsTheQuotientBeforeAddingTheZeroPoint() {
        // ONNX: round(1 / 2) + 1 = 0 + 1 = 1, whereas rounding 1 / 2 + 1 = 1.5 would give 2
        Tensor out = run(new QuantizeLinear(ElementType.U8), Tensor.of(new float[] {1, 3, 600, -600}, 4),
                Tensor.scalar(2f), u8(1)).output(0).knownValue();
        assertArrayEquals(new long[] {1, 3, 255, 0}, out.toLongArray());
    }

    @Test
    void quantizeLinearSaturatesSignedTypes() {
        Tensor zero = Tensor.allocate(ElementType.I8);
        assertArrayEquals(new long[] {127, -128, -2},
                longs(run(new QuantizeLinear(ElementType.I8), Tensor.of(new float[] {1000, -1000, -2.5f}, 3),
                        Tensor.scalar(1f), zero).output(0)));
    }

    private static Tensor u8(int v) {
        Tensor t = Tensor.allocate(ElementType.U8);
        t.setLong(0, v);
        return t;
    }
}
