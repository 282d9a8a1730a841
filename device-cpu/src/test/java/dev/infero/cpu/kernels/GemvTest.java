package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infero.testing.RandomData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Gemv} with {@link PostOps.AlongChannels} against a double-precision dot product per output column followed
 * by {@link PostOps#apply} per column (the per-channel post-ops every other kernel uses): random shapes from 1×1 to a few hundred columns (full
 * column blocks, single column vectors, a last vector that N ends inside) and depths (odd, below one step of the
 * K phases), every activation with bias, scale and residual drawn at random, the units cut into ranges called in
 * random order (as threads share them), inputs and outputs at offsets inside larger arrays whose other elements
 * must stay untouched.
 */
class GemvTest {
    private static final float GUARD = 12345f;

    @Test
    void randomShapesAndPostOpsMatchTheReference() {
        Random r = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int n = trial < 40 ? 1 + trial : 1 + r.nextInt(r.nextBoolean() ? 40 : 300);
            int k = 1 + r.nextInt(r.nextInt(4) == 0 ? 700 : 40);
            checkOne(r, n, k, trial);
        }
    }

    @Test
    void layerShapesOfSmallModels() {
        Random r = new Random(12);
        int[][] shapes = {{128, 576}, {256, 1152}, {500, 800}, {10, 500}, {512, 784}, {2, 128}, {10, 120}, {1000, 2048},
            {1000, 1024}};
        for (int[] s : shapes) {
            checkOne(r, s[0], s[1], -1);
        }
    }

    private static void checkOne(Random r, int n, int k, int trial) {
        float[] w = RandomData.uniform(r, n * k);
        Gemv gemv = new Gemv(n, k, w, 0);
        int xOff = r.nextInt(5);
        int yOff = r.nextInt(5);
        float[] x = new float[xOff + k + r.nextInt(3)];
        float[] xv = RandomData.uniform(r, k);
        System.arraycopy(xv, 0, x, xOff, k);
        PostOps post = KernelProperties.randomPostOps(r, n);
        float[] y = new float[yOff + n + r.nextInt(20)];
        java.util.Arrays.fill(y, GUARD);
        float[] res = post.hasResidual() ? RandomData.uniform(r, y.length) : null;
        float[] expected = new float[y.length];
        java.util.Arrays.fill(expected, GUARD);
        float[] bound = new float[n];
        for (int c = 0; c < n; c++) {
            double sum = 0;
            double abs = 0;
            for (int p = 0; p < k; p++) {
                double t = (double) x[xOff + p] * w[c * k + p];
                sum += t;
                abs += Math.abs(t);
            }
            expected[yOff + c] = (float) sum;
            post.apply(expected, yOff + c, 1, c, res);
            bound[c] = (float) (1e-5 * (1 + abs));
        }
        // The units in ranges, called in random order, each on the same scratch left dirty by the last.
        List<int[]> ranges = new ArrayList<>();
        int units = gemv.units();
        int cuts = 1 + r.nextInt(Math.min(4, units));
        for (int c = 0, from = 0; c < cuts; c++) {
            int to = c == cuts - 1 ? units : from + r.nextInt(units - from + 1);
            ranges.add(new int[] {from, to});
            from = to;
        }
        Collections.shuffle(ranges, r);
        float[] scratch = RandomData.uniform(r, Gemv.scratchFloats());
        PostOps.AlongChannels along = post.alongChannels(n);
        for (int[] range : ranges) {
            gemv.multiply(x, xOff, y, yOff, range[0], range[1], along, res, scratch);
        }
        for (int i = 0; i < y.length; i++) {
            int c = i - yOff;
            boolean inside = c >= 0 && c < n;
            float tolerance = inside ? bound[c] * (1 + Math.abs(expected[i])) : 0f;
            int at = i;
            assertEquals(expected[i], y[i], tolerance, () -> "trial " + trial + ": " + n + "×" + k + " "
                    + post.describe() + ", y[" + at + "] (column " + (at - yOff) + ")");
        }
    }

    /**
     * Columns with equal weights get bit-equal sums whether they lie in a column block or a single column vector:
     * one summation order for all (a saturated network's tied logits stay tied, as ONNX Runtime's do).
     */
    @Test
    void equalColumnsGetEqualSums() {
        Random r = new Random(13);
        for (int k : new int[] {1, 2, 7, 64, 2048}) {
            // Five blocks (two pairs and one alone), then 40 columns in single vectors.
            int n = 5 * Gemv.BLOCK_VECTORS * jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() + 40;
            float[] row = RandomData.uniform(r, k);
            float[] w = new float[n * k];
            for (int c = 0; c < n; c++) {
                System.arraycopy(row, 0, w, c * k, k);
            }
            float[] x = new float[k];
            for (int p = 0; p < k; p++) {
                x[p] = (float) (r.nextGaussian() * 1e6);
            }
            Gemv gemv = new Gemv(n, k, w, 0);
            float[] y = new float[n];
            gemv.multiply(x, 0, y, 0, 0, gemv.units(), PostOps.NONE.alongChannels(n), null,
                    new float[Gemv.scratchFloats()]);
            for (int c = 1; c < n; c++) {
                assertEquals(y[0], y[c], 0f, "k " + k + ", column " + c);
            }
        }
    }

    @Test
    void extentsAreChecked() {
        Gemv gemv = new Gemv(20, 7, new float[140], 0);
        float[] scratch = new float[Gemv.scratchFloats()];
        PostOps.AlongChannels none = PostOps.NONE.alongChannels(20);
        assertThrows(IndexOutOfBoundsException.class,
                () -> gemv.multiply(new float[6], 0, new float[20], 0, 0, gemv.units(), none, null, scratch));
        assertThrows(IndexOutOfBoundsException.class,
                () -> gemv.multiply(new float[7], 0, new float[20], 1, 0, gemv.units(), none, null, scratch));
        assertThrows(IndexOutOfBoundsException.class,
                () -> gemv.multiply(new float[7], 0, new float[20], 0, 0, gemv.units() + 1, none, null, scratch));
        assertThrows(IllegalArgumentException.class,
                () -> gemv.multiply(new float[7], 0, new float[20], 0, 0, gemv.units(), none, null, new float[0]));
        assertThrows(IndexOutOfBoundsException.class, () -> new Gemv(20, 7, new float[139], 0));
    }
}
