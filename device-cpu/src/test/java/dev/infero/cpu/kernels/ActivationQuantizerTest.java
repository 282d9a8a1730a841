package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ActivationQuantizer#quantize(float[], int, int, float[], int, int, int, int)} on blocks of rows: every code
 * is the level of its value minus the zero point ({@link ActivationQuantizer#level}), and every row's padding up to
 * its stride is code 0, whatever was there before, for rows narrower and wider than a vector and gaps from none to
 * past a vector, also where the last row's padding ends at the array's end.
 */
class ActivationQuantizerTest {
    @Test
    void rowsAreQuantizedAndTheirPaddingZeroed() {
        Random r = new Random(4);
        ActivationQuantizer q = ActivationQuantizer.of(-1.5f, 1.5f * 127 / 128, 256);
        for (int n : new int[] {1, 3, 12, 16, 17, 48, 96}) {
            for (int gap : new int[] {0, 1, 2, 4, 15, 16, 17, 40}) {
                int rows = 1 + r.nextInt(5);
                int xStride = n + r.nextInt(3);
                int qStride = n + gap;
                float[] x = new float[rows * xStride + 3];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                int qOff = r.nextInt(3);
                float[] codes = new float[qOff + rows * qStride];
                java.util.Arrays.fill(codes, Float.NaN);
                q.quantize(x, 1, xStride, codes, qOff, n, rows, qStride);
                for (int row = 0; row < rows; row++) {
                    for (int j = 0; j < qStride; j++) {
                        float want = j < n ? q.level(x[1 + row * xStride + j]) - q.zeroPoint() : 0f;
                        assertEquals(want, codes[qOff + row * qStride + j], "n " + n + " gap " + gap + " row " + row
                                + " column " + j);
                    }
                }
            }
        }
    }
}
