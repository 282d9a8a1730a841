package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ActivationQuantizer#quantize(float[], int, int, float[], int, int, int, int)} on blocks of rows: every code
 * is the level of its value minus the zero point ({@link ActivationQuantizer#level}), and every row's padding up to
 * its stride is code 0, whatever was there before, for rows narrower and wider than a vector and gaps from none to
 * past a vector, also where the last row's padding ends at the array's end; and the packed forms the INT8 layers read
 * ({@link ActivationQuantizer#packQuads}, {@link ActivationQuantizer#packPairs}): every byte or half is the level of
 * its row's value, from values and from codes, for rows shorter and longer than a vector.
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

    @Test
    void quadsAndPairsHoldEachRowsLevel() {
        Random r = new Random(5);
        ActivationQuantizer q = ActivationQuantizer.of(-2f, 191f / 32, 256);
        for (int n : new int[] {1, 7, 16, 17, 40, 64, 99}) {
            for (boolean codes : new boolean[] {false, true}) {
                float[][] rows = new float[4][n + 2];
                int[][] levels = new int[4][n];
                for (int k = 0; k < 4; k++) {
                    for (int j = 0; j < n; j++) {
                        float v = (float) (r.nextGaussian() * 2);
                        levels[k][j] = q.level(v);
                        rows[k][k % 3 + j] = codes ? levels[k][j] - q.zeroPoint() : v;
                    }
                }
                int[] quads = new int[n + 1];
                q.packQuads(rows[0], 0, rows[1], 1, rows[2], 2, rows[3], 0, n, codes, quads, 1);
                int[] pairs = new int[n + 1];
                q.packPairs(rows[0], 0, rows[1], 1, n, codes, pairs, 1);
                for (int j = 0; j < n; j++) {
                    String at = "n " + n + " codes " + codes + " column " + j;
                    for (int k = 0; k < 4; k++) {
                        assertEquals(levels[k][j], quads[1 + j] >>> 8 * k & 0xff, at + " quad byte " + k);
                    }
                    assertEquals(levels[0][j], pairs[1 + j] & 0xffff, at + " pair low");
                    assertEquals(levels[1][j], pairs[1 + j] >>> 16, at + " pair high");
                }
            }
        }
    }
}
