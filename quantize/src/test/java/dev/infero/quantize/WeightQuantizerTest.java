package dev.infero.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.testing.RandomData;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightQuantizerTest {
    @Test
    void perOutputChannelSymmetricRoundTrip() {
        Tensor w = RandomData.normal(new Random(1), 1f, 6, 4, 3, 3);
        float[] v = w.floats();
        for (int i = 36; i < 72; i++) {
            v[i] *= 100;   // channel 1 is 100x larger: per-channel scales keep the others precise
        }
        WeightQuantizer.Quantized q = WeightQuantizer.quantize(w, 0);
        assertEquals(ElementType.I8, q.values().type());
        assertArrayEquals(new int[] {6, 1, 1, 1}, q.scales().shape());
        float[] back = q.dequantize().floats();
        byte[] codes = q.values().bytes();
        for (int c = 0; c < 6; c++) {
            float maxAbs = 0;
            int peakCode = 0;
            for (int i = c * 36; i < (c + 1) * 36; i++) {
                if (Math.abs(v[i]) > maxAbs) {
                    maxAbs = Math.abs(v[i]);
                    peakCode = codes[i];
                }
            }
            float scale = q.scales().floats()[c];
            assertEquals(maxAbs / 127, scale, 1e-6 * maxAbs);
            assertEquals(127, Math.abs(peakCode), "the largest weight of a channel uses the full range");
            for (int i = c * 36; i < (c + 1) * 36; i++) {
                assertTrue(Math.abs(back[i] - v[i]) <= scale / 2 * 1.0001, "error within half a step");
                assertTrue(codes[i] >= -127, "narrow range: -128 is never used");
            }
        }
    }

    @Test
    void zeroChannelStaysZeroAndMatMulColumnsGetOwnScales() {
        Tensor w = Tensor.of(new float[] {0, 1, 0, -2, 0, 4}, 3, 2);   // [K=3, N=2]: column 0 is all zero
        WeightQuantizer.Quantized q = WeightQuantizer.quantize(w, 1);
        assertArrayEquals(new int[] {1, 2}, q.scales().shape());
        assertArrayEquals(new float[] {0, 1, 0, -2, 0, 4}, q.dequantize().floats(), 4f / 127 / 2);
        assertArrayEquals(new byte[] {0, 32, 0, -64, 0, 127}, q.values().bytes());
    }
}
