package dev.infero.core.ops.detection;

import static dev.infero.core.ops.OpHarness.assertFloats;
import static dev.infero.core.ops.OpHarness.assertRoundTrips;
import static dev.infero.core.ops.OpHarness.eval;
import static dev.infero.core.ops.OpHarness.fromIr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PriorBoxTest {
    private static final float SQRT2 = (float) Math.sqrt(2);

    /** 2x2 feature map on a 10x10 image: step 5, cell (0,0) centred at (2.5, 2.5). */
    private static Tensor run(Op op) {
        return eval(op, Tensor.vector(2, 2), Tensor.vector(10, 10));
    }

    private static final String[] SSD = {"min_size=4", "max_size=9", "aspect_ratio=2", "flip=true", "clip=false",
        "step=0", "offset=0.5", "variance=0.1,0.1,0.2,0.2"};

    @Test
    void caffeOrderIsMinSquareThenMaxSquareThenRatios() {
        Tensor out = run(fromIr("PriorBox", 1, SSD));
        // Ratios 1, 2 and (flipped) 0.5 times one min size, plus one max size: 4 priors per cell, 4 cells.
        assertEquals(PartialShape.of(2, 64), PartialShape.of(out.shape()));
        float w = 2 * SQRT2 / 10;   // half width of the ratio-2 box over the image width
        float h = 2 / SQRT2 / 10;
        assertFloats(new float[] {
            0.05f, 0.05f, 0.45f, 0.45f,                 // min_size 4: half 2 around 2.5
            -0.05f, -0.05f, 0.55f, 0.55f,               // sqrt(4*9) = 6: half 3
            0.25f - w, 0.25f - h, 0.25f + w, 0.25f + h, // ratio 2: 4*sqrt2 x 4/sqrt2
            0.25f - h, 0.25f - w, 0.25f + h, 0.25f + w, // ratio 1/2
            0.55f, 0.05f, 0.95f, 0.45f,                 // cell (0,1): centre (7.5, 2.5)
        }, prefix(out, 20), 1e-6);
        // The second row repeats the four variances for every prior.
        float[] all = out.toFloatArray();
        for (int i = 64; i < 128; i += 4) {
            assertEquals(0.1f, all[i]);
            assertEquals(0.2f, all[i + 3]);
        }
    }

    @Test
    void priorBox8CanPutTheMaxSquareAfterTheRatios() {
        String[] attrs = Arrays.copyOf(SSD, SSD.length + 1);
        attrs[SSD.length] = "min_max_aspect_ratios_order=false";
        Tensor out = run(fromIr("PriorBox", 8, attrs));
        float[] all = out.toFloatArray();
        assertEquals(0.05f, all[0], 1e-6);      // min square first
        assertEquals(0.25f - 2 * SQRT2 / 10, all[4], 1e-6); // ratio 2 second
        assertEquals(-0.05f, all[12], 1e-6);    // max square last
        // The default (true) is PriorBox-1's order.
        assertTrue(run(fromIr("PriorBox", 8, SSD)).contentEquals(run(fromIr("PriorBox", 1, SSD))));
    }

    @Test
    void clipKeepsCoordinatesInsideTheImage() {
        String[] attrs = SSD.clone();
        attrs[4] = "clip=true";
        float[] all = run(fromIr("PriorBox", 1, attrs)).toFloatArray();
        assertFloats(new float[] {0, 0, 0.55f, 0.55f}, Tensor.of(Arrays.copyOfRange(all, 4, 8), 4), 1e-6);
    }

    @Test
    void anExplicitStepUsesOffset() {
        Tensor out = run(fromIr("PriorBox", 1, "min_size=2", "step=4", "offset=0.25", "variance=0.1"));
        // One prior per cell; cell (1,1) is centred at (1.25*4, 1.25*4) = (5, 5).
        assertEquals(PartialShape.of(2, 16), PartialShape.of(out.shape()));
        assertFloats(new float[] {0.4f, 0.4f, 0.6f, 0.6f}, Tensor.of(Arrays.copyOfRange(out.toFloatArray(), 12, 16),
                4), 1e-6);
        // A single variance fills the whole second row.
        for (int i = 16; i < 32; i++) {
            assertEquals(0.1f, out.toFloatArray()[i]);
        }
    }

    @Test
    void duplicateRatiosCountOnce() {
        Tensor out = run(fromIr("PriorBox", 1, "min_size=4", "aspect_ratio=2,2,0.5", "flip=true", "offset=0.5"));
        assertEquals(2 * 4 * 3 * 4, out.size()); // ratios 1, 2, 0.5
    }

    @Test
    void withoutVarianceTheSecondRowIsPointOne() {
        float[] all = run(fromIr("PriorBox", 1, "min_size=4", "offset=0.5")).toFloatArray();
        assertEquals(0.1f, all[16]);
        assertEquals(0.1f, all[31]);
    }

    @Test
    void fixedSizeWithDensitySpreadsShiftedBoxesOverTheCell() {
        // fixed_size 4 with density 2: four 4x4 boxes shifted by 2 around the centre (2.5, 2.5), clipped to the image.
        Tensor out = run(fromIr("PriorBox", 1, "fixed_size=4", "density=2", "offset=0.5", "clip=false"));
        assertEquals(2 * 4 * 4 * 4, out.size());
        // centres: 2.5 - 2 + 1 + {0,2} = 1.5, 3.5
        assertFloats(new float[] {0, 0, 0.35f, 0.35f, 0.15f, 0, 0.55f, 0.35f},
                Tensor.of(Arrays.copyOf(out.toFloatArray(), 8), 8), 1e-6);
    }

    @Test
    void outputShapeIsDynamicUntilTheFeatureMapSizeIsKnown() {
        Graph g = new Graph("t");
        var size = g.addParameter("size", ElementType.I64, PartialShape.of(2)).output(0);
        var image = g.addConstant("image", Tensor.vector(300, 300)).output(0);
        var out = g.add(fromIr("PriorBox", 1, SSD), "pb", size, image).output(0);
        assertEquals(PartialShape.of(2, -1), out.shape());
        assertEquals(ElementType.F32, out.type());
    }

    @Test
    void sizesMustBeIntegerVectors() {
        InferoException e = assertThrows(InferoException.class,
                () -> eval(fromIr("PriorBox", 1, SSD), Tensor.of(new float[] {2, 2}, 2), Tensor.vector(10, 10)));
        assertTrue(e.getMessage().contains("output_size (input 0) must be an integer tensor, got f32"), e.getMessage());
    }

    @Test
    void offsetIsRequired() {
        InferoException e = assertThrows(InferoException.class, () -> fromIr("PriorBox", 1, "min_size=4"));
        assertEquals("IR layer 'test' (PriorBox) is missing required attribute 'offset'", e.getMessage());
    }

    @Test
    void describeUsesOpenVinoNamesAndReadsBack() {
        Op op = fromIr("PriorBox", 1, SSD);
        assertEquals("PriorBox(min_size=4, max_size=9, aspect_ratio=2, density=, fixed_ratio=, fixed_size=, clip=false,"
                + " flip=true, step=0, offset=0.5, variance=0.10000000149011612,0.10000000149011612,"
                + "0.20000000298023224,0.20000000298023224, scale_all_sizes=true)", op.toString());
        assertRoundTrips(op);
        assertRoundTrips(fromIr("PriorBox", 8, "min_size=4", "offset=0", "min_max_aspect_ratios_order=false"));
        assertEquals("opset8", fromIr("PriorBox", 8, "offset=0").version());
    }

    @Test
    void priorBoxClusteredPlacesListedSizesOnTheGrid() {
        // Feature map 1x2 on an 8-wide, 4-high image: steps 4 and 4, centres (2,2) and (6,2).
        Op op = fromIr("PriorBoxClustered", 1, "width=2,4", "height=2,1", "offset=0.5", "variance=0.1,0.1,0.2,0.2");
        Tensor out = eval(op, Tensor.vector(1, 2), Tensor.vector(4, 8));
        assertEquals(PartialShape.of(2, 16), PartialShape.of(out.shape()));
        assertFloats(new float[] {
            0.125f, 0.25f, 0.375f, 0.75f,   0f, 0.375f, 0.5f, 0.625f,
            0.625f, 0.25f, 0.875f, 0.75f,   0.5f, 0.375f, 1f, 0.625f,
            0.1f, 0.1f, 0.2f, 0.2f,   0.1f, 0.1f, 0.2f, 0.2f,   0.1f, 0.1f, 0.2f, 0.2f,   0.1f, 0.1f, 0.2f, 0.2f,
        }, out, 1e-6);
    }

    @Test
    void priorBoxClusteredStepsAndClip() {
        // step_w 6 moves the second centre to x = 1.5*6 = 9; the 4-wide box then ends at 11/8, clipped to 1.
        Op clipped = fromIr("PriorBoxClustered", 1, "width=4", "height=1", "offset=0.5", "step_w=6", "step_h=4");
        float[] c = eval(clipped, Tensor.vector(1, 2), Tensor.vector(4, 8)).toFloatArray();
        assertFloats(new float[] {7 / 8f, 0.375f, 1f, 0.625f}, Tensor.of(Arrays.copyOfRange(c, 4, 8), 4), 1e-6);
        Op open = fromIr("PriorBoxClustered", 1, "width=4", "height=1", "offset=0.5", "step=6", "clip=false");
        float[] o = eval(open, Tensor.vector(1, 2), Tensor.vector(4, 8)).toFloatArray();
        // step applies to both axes when step_w and step_h are 0: centre (9, 3).
        assertFloats(new float[] {7 / 8f, 2.5f / 4, 11 / 8f, 3.5f / 4}, Tensor.of(Arrays.copyOfRange(o, 4, 8), 4),
                1e-6);
        assertRoundTrips(open);
    }

    @Test
    void priorBoxClusteredNeedsAsManyHeightsAsWidths() {
        InferoException e = assertThrows(InferoException.class, () -> eval(
                fromIr("PriorBoxClustered", 1, "width=1,2", "height=1", "offset=0.5"), Tensor.vector(1, 1),
                Tensor.vector(4, 4)));
        assertTrue(e.getMessage().contains("width has 2 values but height has 1"), e.getMessage());
    }

    private static Tensor prefix(Tensor t, int n) {
        return Tensor.of(Arrays.copyOf(t.toFloatArray(), n), n);
    }
}
