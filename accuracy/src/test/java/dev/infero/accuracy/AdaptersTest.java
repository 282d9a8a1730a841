package dev.infero.accuracy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.vision.Anchors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The detection adapters decode and suppress with the vision module's BlazeFace decoding and non-maximum
 * suppression; these check the conversion to original-image boxes at that boundary, worked out by hand.
 */
class AdaptersTest {
    /** A 100×100 input made from a 200×400 image: x scaled by 0.5, y by 0.25, then 10 input pixels cropped in x. */
    private static final Preprocessor.Geometry G = new Preprocessor.Geometry(100, 100, 200, 400, 0.5, 0.25, 10, 0);

    private static List<Box> boxes(Prediction p) {
        return ((Prediction.Detections) p).boxes();
    }

    @Test
    void ultraFaceKeepsTheBestOfOverlappingBoxesInImagePixels() {
        // Scores [1,3,2] (background, face) and corner boxes [1,3,4] relative to the input.
        Tensor scores = Tensor.of(new float[] {0.5f, 0.5f, 0.1f, 0.9f, 0.2f, 0.8f}, 1, 3, 2);
        Tensor corners = Tensor.of(new float[] {0, 0, 0.1f, 0.1f, 0.01f, 0, 0.11f, 0.1f, 0.3f, 0.3f, 0.4f, 0.4f},
                1, 3, 4);
        List<Box> kept = boxes(new Adapters.UltraFace(0.5, 0.3).process(List.of(), List.of(scores, corners), G));
        // Box 0 (0.5) overlaps box 1 (0.9) with IoU 0.9/1.1 and goes; box 2 (0.8) is apart.
        assertEquals(List.of(0.9f, 0.8f), kept.stream().map(b -> (float) b.score()).toList());
        // x: (0.01·100 + 10) / 0.5 = 22, (0.11·100 + 10) / 0.5 = 42; y: 0 and 0.1·100 / 0.25 = 40.
        Box best = kept.getFirst();
        assertEquals(22, best.xmin(), 1e-3);
        assertEquals(42, best.xmax(), 1e-3);
        assertEquals(0, best.ymin(), 1e-3);
        assertEquals(40, best.ymax(), 1e-3);
    }

    @Test
    void blazeFaceDecodesAgainstAnchorsAndAveragesOverlaps() {
        Anchors anchors = Anchors.of(new float[] {0.5f, 0.5f, 1, 1, 0.5f, 0.5f, 1, 1, 0.1f, 0.1f, 1, 1});
        // Regressors [1,3,6]: centre offset, size, one keypoint, in input pixels (scale = input size 100).
        Tensor raw = Tensor.of(new float[] {
            0, 0, 20, 20, 0, 0,
            2, 0, 20, 20, 0, 0,
            0, 0, 10, 10, 0, 0}, 1, 3, 6);
        // Logits: sigmoid(2) = 0.881, sigmoid(1) = 0.731, sigmoid(-3) = 0.047 (under the 0.5 threshold).
        Tensor logits = Tensor.of(new float[] {2, 1, -3}, 1, 3, 1);
        var adapter = new Adapters.BlazeFace(anchors, 0.5, 0.3, 0, 0, 0, 0);
        List<Box> found = boxes(adapter.process(List.of(), List.of(logits, raw), G));
        assertEquals(1, found.size());
        double s0 = 1 / (1 + Math.exp(-2));
        double s1 = 1 / (1 + Math.exp(-1));
        assertEquals(s0, found.getFirst().score(), 1e-6);
        // Input x: anchor 0 spans 40..60, anchor 1 42..62 (IoU 18/22 > 0.3), averaged by score; image x = (x+10)/0.5.
        double x0 = (40 * s0 + 42 * s1) / (s0 + s1);
        assertEquals((x0 + 10) / 0.5, found.getFirst().xmin(), 1e-3);
        assertEquals((x0 + 20 + 10) / 0.5, found.getFirst().xmax(), 1e-3);
        assertEquals(40 / 0.25, found.getFirst().ymin(), 1e-3);
        assertEquals(60 / 0.25, found.getFirst().ymax(), 1e-3);

        InferoException e = assertThrows(InferoException.class,
                () -> adapter.process(List.of(), List.of(logits), G));
        assertTrue(e.getMessage().startsWith("adapter blazeface: a BlazeFace detector needs an output [1,3,16]"),
                e.getMessage());
    }
}
