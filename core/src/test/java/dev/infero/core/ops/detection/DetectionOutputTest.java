package dev.infero.core.ops.detection;

import static dev.infero.core.ops.OpHarness.assertFloats;
import static dev.infero.core.ops.OpHarness.assertRoundTrips;
import static dev.infero.core.ops.OpHarness.eval;
import static dev.infero.core.ops.OpHarness.fromIr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

class DetectionOutputTest {
    /**
     * Three priors: p0 and p1 overlap (IoU 0.036/0.044 = 0.82), p2 is apart. Box predictions move only p2, by +0.1
     * at the minimum corner and -0.1 at the maximum corner (prediction ±1 times variance 0.1).
     */
    private static final Tensor PRIORS = Tensor.of(new float[] {
        0.1f, 0.1f, 0.3f, 0.3f,   0.12f, 0.1f, 0.32f, 0.3f,   0.6f, 0.6f, 0.9f, 0.9f,
        0.1f, 0.1f, 0.1f, 0.1f,   0.1f, 0.1f, 0.1f, 0.1f,     0.1f, 0.1f, 0.1f, 0.1f}, 1, 2, 12);
    private static final Tensor LOC = Tensor.of(new float[] {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, -1, -1}, 1, 12);
    /** [background, class 1] per prior. */
    private static final Tensor CONF = Tensor.of(new float[] {0.1f, 0.9f, 0.2f, 0.8f, 0.3f, 0.7f}, 1, 6);

    private static final String[] BASE = {"num_classes=2", "background_label_id=0", "top_k=-1", "keep_top_k=5",
        "nms_threshold=0.5", "confidence_threshold=0.01", "code_type=caffe.PriorBoxParameter.CORNER",
        "share_location=true", "normalized=true", "variance_encoded_in_target=false"};

    private static String[] with(String... overrides) {
        String[] out = BASE.clone();
        for (String o : overrides) {
            String name = o.substring(0, o.indexOf('='));
            int i = Arrays.asList(out).stream().map(s -> s.substring(0, s.indexOf('='))).toList().indexOf(name);
            if (i >= 0) {
                out[i] = o;
            } else {
                out = Arrays.copyOf(out, out.length + 1);
                out[out.length - 1] = o;
            }
        }
        return out;
    }

    @Test
    void nmsDropsTheOverlappingBoxAndTheListEndsWithMinusOne() {
        Tensor out = eval(fromIr("DetectionOutput", 1, BASE), LOC, CONF, PRIORS);
        assertArrayEquals(new int[] {1, 1, 5, 7}, out.shape());
        assertFloats(new float[] {
            0, 1, 0.9f, 0.1f, 0.1f, 0.3f, 0.3f,
            0, 1, 0.7f, 0.7f, 0.7f, 0.8f, 0.8f,
            -1, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0}, out, 1e-6);
    }

    @Test
    void aLooserNmsThresholdKeepsBothOverlappingBoxes() {
        Tensor out = eval(fromIr("DetectionOutput", 1, with("nms_threshold=0.9")), LOC, CONF, PRIORS);
        float[] r = out.toFloatArray();
        assertEquals(0.9f, r[2], 1e-6);
        assertEquals(0.8f, r[9], 1e-6);
        assertEquals(0.7f, r[16], 1e-6);
        assertEquals(-1, r[21]);
    }

    @Test
    void keepTopKSizesTheOutputAndKeepsTheBest() {
        Tensor out = eval(fromIr("DetectionOutput", 1, with("keep_top_k=1")), LOC, CONF, PRIORS);
        assertFloats(new float[] {0, 1, 0.9f, 0.1f, 0.1f, 0.3f, 0.3f}, out, 1e-6);
    }

    @Test
    void confidenceThresholdIsExclusive() {
        Tensor out = eval(fromIr("DetectionOutput", 1, with("confidence_threshold=0.7")), LOC, CONF, PRIORS);
        assertEquals(0.9f, out.toFloatArray()[2], 1e-6);
        assertEquals(-1, out.toFloatArray()[7]);
    }

    @Test
    void outputRowsFollowKeepTopKElseTopKElseAllPriors() {
        assertEquals(PartialShape.of(1, 1, 5, 7), shapeOf(with()));
        // keep_top_k -1 and top_k 2: images * top_k * classes.
        assertEquals(PartialShape.of(1, 1, 4, 7), shapeOf(with("keep_top_k=-1", "top_k=2")));
        // Neither: images * priors * classes.
        assertEquals(PartialShape.of(1, 1, 6, 7), shapeOf(with("keep_top_k=-1")));
    }

    private static PartialShape shapeOf(String[] attrs) {
        Graph g = new Graph("t");
        var loc = g.addParameter("loc", ElementType.F32, PartialShape.of(1, 12)).output(0);
        var conf = g.addParameter("conf", ElementType.F32, PartialShape.of(1, 6)).output(0);
        var priors = g.addParameter("priors", ElementType.F32, PartialShape.of(1, 2, 12)).output(0);
        return g.add(fromIr("DetectionOutput", 1, attrs), "do", loc, conf, priors).output(0).shape();
    }

    @Test
    void centerSizeDecodesCentreOffsetsAndLogScales() {
        // Prior [0.2,0.2,0.6,0.6]: centre 0.4, size 0.4; variances 0.1,0.1,0.2,0.2.
        Tensor priors = Tensor.of(new float[] {0.2f, 0.2f, 0.6f, 0.6f, 0.1f, 0.1f, 0.2f, 0.2f}, 1, 2, 4);
        float logScale = (float) (Math.log(3) / 0.2);
        Tensor loc = Tensor.of(new float[] {1, 0, logScale, 0}, 1, 4);
        Tensor conf = Tensor.of(new float[] {0, 1}, 1, 2);
        Op centre = fromIr("DetectionOutput", 1, with("code_type=caffe.PriorBoxParameter.CENTER_SIZE", "keep_top_k=1"));
        // centre x = 0.1*1*0.4 + 0.4 = 0.44; width = e^(0.2*ln3/0.2) * 0.4 = 1.2.
        assertFloats(new float[] {0, 1, 1, 0.44f - 0.6f, 0.2f, 0.44f + 0.6f, 0.6f}, eval(centre, loc, conf, priors),
                1e-6);
        Op clipped = fromIr("DetectionOutput", 1, with("code_type=caffe.PriorBoxParameter.CENTER_SIZE", "keep_top_k=1",
                "clip_after_nms=true"));
        assertFloats(new float[] {0, 1, 1, 0, 0.2f, 1, 0.6f}, eval(clipped, loc, conf, priors), 1e-6);
    }

    @Test
    void varianceEncodedInTargetUsesPredictionsAsIs() {
        Tensor priors = Tensor.of(new float[] {0.1f, 0.1f, 0.3f, 0.3f}, 1, 1, 4);
        Tensor loc = Tensor.of(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 1, 4);
        Op op = fromIr("DetectionOutput", 1, with("variance_encoded_in_target=true", "keep_top_k=1"));
        assertFloats(new float[] {0, 1, 1, 0.2f, 0.3f, 0.6f, 0.7f}, eval(op, loc, Tensor.of(new float[] {0, 1}, 1, 2),
                priors), 1e-6);
    }

    @Test
    void unnormalizedPriorsCarryABatchIndexAndAreScaledByTheInputSize() {
        // priors of 5 values [batch, xmin, ymin, xmax, ymax] in pixels of a 200x100 (w x h) input.
        Tensor priors = Tensor.of(new float[] {0, 20, 10, 60, 30, 0.1f, 0.1f, 0.1f, 0.1f, 0}, 1, 2, 5);
        Tensor loc = Tensor.of(new float[] {0, 0, 0, 0}, 1, 4);
        Op op = fromIr("DetectionOutput", 1, with("normalized=false", "input_width=200", "input_height=100",
                "keep_top_k=1"));
        assertFloats(new float[] {0, 1, 1, 0.1f, 0.1f, 0.3f, 0.3f}, eval(op, loc, Tensor.of(new float[] {0, 1}, 1, 2),
                priors), 1e-6);
    }

    @Test
    void perClassLocationsWhenLocationIsNotShared() {
        // Two classes with their own predictions; the background's are ignored.
        Tensor priors = Tensor.of(new float[] {0.1f, 0.1f, 0.3f, 0.3f, 1, 1, 1, 1}, 1, 2, 4);
        Tensor loc = Tensor.of(new float[] {9, 9, 9, 9, 0.1f, 0, 0, 0.1f}, 1, 8);
        Op op = fromIr("DetectionOutput", 1, with("share_location=false", "keep_top_k=1"));
        assertFloats(new float[] {0, 1, 0.75f, 0.2f, 0.1f, 0.3f, 0.4f},
                eval(op, loc, Tensor.of(new float[] {0.25f, 0.75f}, 1, 2), priors), 1e-6);
    }

    @Test
    void mxnetStyleKeepsOneClassPerPriorAndShiftsLabels() {
        // Three classes; prior 0 is best as class 2, prior 1 as class 1.
        Tensor priors = Tensor.of(new float[] {0.1f, 0.1f, 0.3f, 0.3f, 0.6f, 0.6f, 0.9f, 0.9f,
            1, 1, 1, 1, 1, 1, 1, 1}, 1, 2, 8);
        Tensor loc = Tensor.of(new float[8], 1, 8);
        Tensor conf = Tensor.of(new float[] {0.1f, 0.3f, 0.6f, 0.1f, 0.5f, 0.4f}, 1, 6);
        Op op = fromIr("DetectionOutput", 1, with("num_classes=3", "decrease_label_id=true", "keep_top_k=3"));
        assertFloats(new float[] {
            0, 0, 0.5f, 0.6f, 0.6f, 0.9f, 0.9f,   // class 1 → label 0
            0, 1, 0.6f, 0.1f, 0.1f, 0.3f, 0.3f,   // class 2 → label 1
            -1, 0, 0, 0, 0, 0, 0}, eval(op, loc, conf, priors), 1e-6);
        // Caffe style reports every class above the threshold for the same priors, labels unshifted.
        Tensor caffe = eval(fromIr("DetectionOutput", 1, with("num_classes=3", "keep_top_k=4")), loc, conf, priors);
        float[] r = caffe.toFloatArray();
        assertEquals(1, r[1]);
        assertEquals(0.5f, r[2], 1e-6);
        assertEquals(1, r[8]);
        assertEquals(0.3f, r[9], 1e-6);
        assertEquals(2, r[15]);
        assertEquals(0.6f, r[16], 1e-6);
        assertEquals(2, r[22]);
        assertEquals(0.4f, r[23], 1e-6);
    }

    @Test
    void objectnessBelowTheScoreMakesAPriorBackground() {
        // ARM objectness [not-object, object] per prior: p2 falls below 0.5 and disappears.
        Tensor armConf = Tensor.of(new float[] {0.1f, 0.9f, 0.1f, 0.9f, 0.7f, 0.3f}, 1, 6);
        Tensor armLoc = Tensor.of(new float[12], 1, 12);
        Op op = fromIr("DetectionOutput", 1, with("objectness_score=0.5"));
        Tensor out = eval(op, LOC, CONF, PRIORS, armConf, armLoc);
        assertEquals(0.9f, out.toFloatArray()[2], 1e-6);
        assertEquals(-1, out.toFloatArray()[7]);
    }

    @Test
    void detectionOutput8DerivesTheClassCount() {
        Op op = fromIr("DetectionOutput", 8, Arrays.stream(BASE).filter(s -> !s.startsWith("num_classes")).toArray(
                String[]::new));
        assertEquals("opset8", op.version());
        assertTrue(eval(op, LOC, CONF, PRIORS).contentEquals(eval(fromIr("DetectionOutput", 1, BASE), LOC, CONF,
                PRIORS)));
        assertRoundTrips(op);
    }

    @Test
    void describeWritesOpenVinoAttributes() {
        Op op = fromIr("DetectionOutput", 1, BASE);
        assertEquals("DetectionOutput(num_classes=2, background_label_id=0, top_k=-1, variance_encoded_in_target=false,"
                + " keep_top_k=5, code_type=caffe.PriorBoxParameter.CORNER, share_location=true,"
                + " nms_threshold=0.5, confidence_threshold=0.009999999776482582, clip_after_nms=false,"
                + " clip_before_nms=false, decrease_label_id=false, normalized=true, input_height=1, input_width=1,"
                + " objectness_score=0)", op.toString());
        assertRoundTrips(op);
    }

    @Test
    void shapeMismatchesAreExplained() {
        InferoException e = assertThrows(InferoException.class, () -> eval(fromIr("DetectionOutput", 1, BASE),
                LOC, Tensor.of(new float[8], 1, 8), PRIORS));
        assertTrue(e.getMessage().contains("class_preds' second dimension is 8, expected 6 (priors · classes)"),
                e.getMessage());
        InferoException code = assertThrows(InferoException.class,
                () -> fromIr("DetectionOutput", 1, with("code_type=caffe.PriorBoxParameter.CORNER_SIZE")));
        assertTrue(code.getMessage().contains("is not caffe.PriorBoxParameter.CORNER or"), code.getMessage());
    }
}
