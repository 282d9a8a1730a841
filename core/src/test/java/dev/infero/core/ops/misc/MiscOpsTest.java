package dev.infero.core.ops.misc;

import static dev.infero.core.ops.OpHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

/** Specifications of the misc ops' trickier semantics; constant inputs fold, so outputs carry their values. */
class MiscOpsTest {
    private static float[] floats(Node n, int output) {
        return n.output(output).knownValue().toFloatArray();
    }

    private static long[] longs(Node n, int output) {
        return n.output(output).knownValue().toLongArray();
    }

    @Test
    void gridSampleMapsCornersByAlignCornersAndPadsByMode() {
        Tensor image = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor corners = Tensor.of(new float[] {-1, -1, 1, 1}, 1, 1, 2, 2);
        // align_corners: -1 and 1 are the corner pixel centres
        assertArrayEquals(new float[] {1, 4}, floats(run(new GridSample(true, "bilinear", "zeros"), image, corners), 0));
        // otherwise they are the image edges, half a pixel out: zeros padding blends in zeros, border does not
        assertArrayEquals(new float[] {0.25f, 1}, floats(run(new GridSample(false, "bilinear", "zeros"), image,
                corners), 0));
        assertArrayEquals(new float[] {1, 4}, floats(run(new GridSample(false, "bilinear", "border"), image,
                corners), 0));
        // reflection folds a point one pixel left of pixel 0 (x = -3 normalised, align_corners) onto pixel 1
        Tensor far = Tensor.of(new float[] {-3, -1}, 1, 1, 1, 2);
        assertArrayEquals(new float[] {2}, floats(run(new GridSample(true, "nearest", "reflection"), image, far), 0));
    }

    @Test
    void gridSampleRejectsMismatchedGrids() {
        InferoException e = assertThrows(InferoException.class, () -> run(new GridSample(false, "bilinear", "zeros"),
                Tensor.of(new float[4], 1, 1, 2, 2), Tensor.of(new float[3], 1, 1, 1, 3)));
        assertTrue(e.getMessage().contains("last dimension of grid"), e.getMessage());
    }

    @Test
    void rdftKeepsHalfTheSpectrumAndIrdftRestoresTheSignal() {
        Tensor signal = Tensor.of(new float[] {1, 2, 3, 4}, 4);
        Node spectrum = run(new FourierTransform(FourierTransform.Kind.RDFT), signal, Tensor.vector(0));
        assertEquals(PartialShape.of(3, 2), spectrum.output(0).shape());
        assertArrayEquals(new float[] {10, 0, -2, 2, -2, 0}, floats(spectrum, 0), 1e-5f);
        Node back = run(new FourierTransform(FourierTransform.Kind.IRDFT), spectrum.output(0).knownValue(),
                Tensor.vector(0));
        assertArrayEquals(new float[] {1, 2, 3, 4}, floats(back, 0), 1e-5f);
    }

    @Test
    void dftPadsToTheSignalSizeAndIdftScales() {
        Tensor one = Tensor.of(new float[] {1, 0}, 1, 2);
        Node padded = run(new FourierTransform(FourierTransform.Kind.DFT), one, Tensor.vector(0), Tensor.vector(3));
        assertArrayEquals(new float[] {1, 0, 1, 0, 1, 0}, floats(padded, 0), 1e-6f);
        Node inverse = run(new FourierTransform(FourierTransform.Kind.IDFT), padded.output(0).knownValue(),
                Tensor.vector(-1));
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 0}, floats(inverse, 0), 1e-6f);
    }

    @Test
    void uniqueSortsOrKeepsFirstOccurrenceOrder() {
        Tensor x = Tensor.of(new float[] {2, 1, 1, 3, 4, 3}, 6);
        Node sorted = run(new Unique(true, ElementType.I64, ElementType.I64), x);
        assertArrayEquals(new float[] {1, 2, 3, 4}, floats(sorted, 0));
        assertArrayEquals(new long[] {1, 0, 3, 4}, longs(sorted, 1));
        assertArrayEquals(new long[] {1, 0, 0, 2, 3, 2}, longs(sorted, 2));
        assertArrayEquals(new long[] {2, 1, 2, 1}, longs(sorted, 3));
        Node unsorted = run(new Unique(false, ElementType.I64, ElementType.I64), x);
        assertArrayEquals(new float[] {2, 1, 3, 4}, floats(unsorted, 0));
    }

    @Test
    void uniqueAlongAnAxisComparesWholeSlices() {
        Tensor rows = Tensor.of(new float[] {1, 0, 0, 1, 1, 0}, 3, 2);
        Node n = run(new Unique(true, ElementType.I64, ElementType.I64), rows, Tensor.scalar(0L));
        assertEquals(PartialShape.of(2, 2), n.output(0).shape());
        assertArrayEquals(new float[] {0, 1, 1, 0}, floats(n, 0));
        assertArrayEquals(new long[] {1, 0, 1}, longs(n, 2));
    }

    @Test
    void centerCropPadRoundsTheLeadingMarginDown() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        // pad 3 -> 6: one before, two after; crop 3 -> 2: start at 0
        assertArrayEquals(new float[] {0, 1, 2, 3, 0, 0}, floats(run(new CenterCropPad(new long[0]), x,
                Tensor.vector(6)), 0));
        assertArrayEquals(new float[] {1, 2}, floats(run(new CenterCropPad(new long[0]), x, Tensor.vector(2)), 0));
    }

    @Test
    void cumProdIsExclusiveAndReversible() {
        Tensor x = Tensor.of(new int[] {2, 3, 4}, 3);
        assertArrayEquals(new long[] {2, 6, 24}, longs(run(new CumProd(false, false), x, Tensor.scalar(0L)), 0));
        assertArrayEquals(new long[] {12, 4, 1}, longs(run(new CumProd(true, true), x, Tensor.scalar(0L)), 0));
    }

    @Test
    void determinantPivotsAndKeepsTheSign() {
        Tensor swap = Tensor.of(new float[] {0, 1, 1, 0, 2, 0, 0, 3}, 2, 2, 2);
        assertArrayEquals(new float[] {-1, 6}, floats(run(new Determinant(), swap), 0), 1e-6f);
    }

    @Test
    void reverseSequenceReversesOnlyThePrefixOfEachBatchEntry() {
        // [seq=3, batch=2]: entry 0 reverses 3 steps, entry 1 reverses 2
        Tensor x = Tensor.of(new float[] {1, 10, 2, 20, 3, 30}, 3, 2);
        assertArrayEquals(new float[] {3, 20, 2, 10, 1, 30}, floats(run(new ReverseSequence(1, 0), x,
                Tensor.vector(3, 2)), 0));
    }

    @Test
    void eyeShiftsTheDiagonal() {
        Node n = run(new Eye(ElementType.F32), Tensor.scalar(2L), Tensor.scalar(3L), Tensor.scalar(1L));
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 1}, floats(n, 0));
    }

    @Test
    void col2ImSumsOverlappingWindows() {
        // a 1x3 image, kernel 1x2, stride 1: two windows overlapping at the middle pixel
        Tensor columns = Tensor.of(new float[] {1, 2, 10, 20}, 1, 2, 2);
        Node n = run(new Col2Im(new long[] {1, 1}, new long[] {1, 1}, new long[2], new long[2]), columns,
                Tensor.vector(1, 3), Tensor.vector(1, 2));
        assertArrayEquals(new float[] {1, 12, 20}, floats(n, 0));
    }

    @Test
    void tensorScatterWrapsInCircularMode() {
        Tensor cache = Tensor.of(new float[] {1, 2, 3}, 1, 3, 1);
        Tensor update = Tensor.of(new float[] {8, 9}, 1, 2, 1);
        assertArrayEquals(new float[] {9, 2, 8}, floats(run(new TensorScatter(-2, true), cache, update,
                Tensor.vector(2)), 0));
        assertThrows(InferoException.class, () -> run(new TensorScatter(-2, false), cache, update, Tensor.vector(2)));
    }

    @Test
    void affineGridOfTheIdentityIsThePixelCentres() {
        Tensor identity = Tensor.of(new float[] {1, 0, 0, 0, 1, 0}, 1, 2, 3);
        Node n = run(new AffineGrid(false), identity, Tensor.vector(1, 1, 1, 2));
        assertEquals(PartialShape.of(1, 1, 2, 2), n.output(0).shape());
        assertArrayEquals(new float[] {-0.5f, 0, 0.5f, 0}, floats(n, 0));
    }
}
