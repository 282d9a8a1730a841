package dev.infero.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.io.Npy;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.testing.SharedData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoding, suppression, alignment and sampling without a model. */
class FaceGeometryTest {
    private static final float EPS = 1e-4f;

    @Test
    void generatedAnchorsEqualMediaPipesFile() {
        Anchors generated = Anchors.blazeFaceFront();
        assertEquals(896, generated.count());
        Tensor file = Npy.read(SharedData.require("models/face/anchors.npy"));
        float[] expected = file.toFloatArray();
        for (int i = 0; i < generated.count(); i++) {
            assertEquals(expected[4 * i], generated.xCenter(i), EPS, "anchor " + i);
            assertEquals(expected[4 * i + 1], generated.yCenter(i), EPS, "anchor " + i);
            assertEquals(expected[4 * i + 2], generated.width(i), EPS);
            assertEquals(expected[4 * i + 3], generated.height(i), EPS);
        }
    }

    @Test
    void weightedSuppressionAveragesOverlapsAndKeepsTheBestScore() {
        Detection a = new Detection(0.9f, 10, 10, 20, 20, new float[] {15, 15});
        Detection b = new Detection(0.6f, 12, 12, 20, 20, new float[] {18, 18});
        Detection far = new Detection(0.8f, 100, 100, 20, 20, new float[] {105, 105});
        List<Detection> out = NonMaxSuppression.weighted(List.of(b, far, a), 0.3f, 0);
        assertEquals(2, out.size());
        Detection merged = out.get(0);
        assertEquals(0.9f, merged.score(), EPS);
        assertEquals((10 * 0.9f + 12 * 0.6f) / 1.5f, merged.x(), EPS);
        assertEquals(20f, merged.width(), EPS);
        assertEquals((15 * 0.9f + 18 * 0.6f) / 1.5f, merged.keypointX(0), EPS);
        assertEquals(far.x(), out.get(1).x());
        assertEquals(far.score(), out.get(1).score());
        assertEquals(1, NonMaxSuppression.weighted(List.of(b, far, a), 0.3f, 1).size());
    }

    @Test
    void plainSuppressionDropsOverlapsAndKeepsApartBoxes() {
        Detection a = new Detection(0.9f, 10, 10, 20, 20, new float[0]);
        Detection b = new Detection(0.95f, 12, 12, 20, 20, new float[0]);
        Detection touching = new Detection(0.5f, 30, 10, 20, 20, new float[0]);
        assertEquals(List.of(b, touching), NonMaxSuppression.plain(List.of(a, b, touching), 0.3f, 0));
        assertEquals(0f, a.iou(new Detection(1, 40, 40, 5, 5, new float[0])));
        assertEquals(1f, a.iou(a), EPS);
    }

    @Test
    void faceRegionIsTheScaledSquareRotatedToLevelTheEyes() {
        // Eyes level: no rotation; the 20×30 box becomes a 45×45 square around its centre.
        Detection level = new Detection(1, 10, 20, 20, 30, new float[] {15, 30, 25, 30});
        RotatedRect r = FaceAlignment.roi(level);
        assertEquals(new RotatedRect(20, 35, 45, 45, 0), r);
        // The left eye (on the image's right) 10 px lower: the region turns clockwise by atan(10/10) = 45°.
        Detection tilted = new Detection(1, 10, 20, 20, 20, new float[] {10, 30, 20, 40});
        RotatedRect t = FaceAlignment.roi(tilted);
        assertEquals(Math.PI / 4, t.rotation(), 1e-9);
        // The crop's x axis runs along the eye line: its right-middle point lies on that line from the centre.
        double dx = t.imageX(1, 0.5) - t.centerX();
        double dy = t.imageY(1, 0.5) - t.centerY();
        assertEquals(1, dy / dx, 1e-9);
        assertEquals(Math.PI * 0.5, FaceAlignment.normalize(Math.PI * 2.5), 1e-12);
        assertEquals(-Math.PI, FaceAlignment.normalize(Math.PI), 1e-12);
    }

    @Test
    void samplingFollowsTheRectangleLayoutRangeAndChannelOrder() {
        // 4×2 picture: left half red, right half blue.
        int[] px = {0xFF0000, 0xFF0000, 0x0000FF, 0x0000FF, 0xFF0000, 0xFF0000, 0x0000FF, 0x0000FF};
        RgbImage image = RgbImage.of(4, 2, px);
        ModelInput nchw = ModelInput.of(new PortInfo("x", ElementType.F32, PartialShape.of(1, 3, 2, 4)),
                InputRange.MINUS_ONE_TO_ONE, false);
        Tensor t = nchw.sample(image, RotatedRect.ofBox(0, 0, 4, 2));
        assertArrayEquals(new int[] {1, 3, 2, 4}, t.shape());
        assertEquals(1f, t.floats()[0], EPS);          // R of the top-left pixel
        assertEquals(-1f, t.floats()[8], EPS);         // G
        assertEquals(1f, t.floats()[16 + 3], EPS);     // B of the top-right pixel
        // Turned by 180°: the crop sees the picture mirrored both ways; NHWC, BGR, raw values.
        ModelInput nhwc = ModelInput.of(new PortInfo("x", ElementType.F32, PartialShape.of(1, 2, 4, 3)),
                InputRange.RAW, true);
        Tensor r = nhwc.sample(image, new RotatedRect(2, 1, 4, 2, Math.PI));
        assertArrayEquals(new int[] {1, 2, 4, 3}, r.shape());
        assertEquals(255f, r.floats()[0], EPS);        // top-left now blue, fed first as BGR
        assertEquals(0f, r.floats()[2], EPS);
        // Outside the picture is black.
        Tensor out = nchw.sample(image, RotatedRect.ofBox(100, 100, 4, 2));
        assertEquals(-1f, out.floats()[0], EPS);
        assertThrows(InferoException.class, () -> ModelInput.of(
                new PortInfo("x", ElementType.F32, PartialShape.of(1, 5, 8, 8)), InputRange.RAW, false));
        assertThrows(InferoException.class, () -> ModelInput.of(
                new PortInfo("x", ElementType.F32, PartialShape.of(-1, 3, 8, 8)), InputRange.RAW, false));
    }

    @Test
    void blazeFaceDecodingMapsAnchorsThroughTheLetterbox() {
        Anchors anchors = Anchors.of(new float[] {0.25f, 0.5f, 1, 1, 0.75f, 0.75f, 1, 1});
        ModelInput input = ModelInput.of(new PortInfo("x", ElementType.F32, PartialShape.of(1, 3, 128, 128)),
                InputRange.MINUS_ONE_TO_ONE, false);
        List<PortInfo> outputs = List.of(new PortInfo("scores", ElementType.F32, PartialShape.of(1, 2, 1)),
                new PortInfo("boxes", ElementType.F32, PartialShape.of(1, 2, 6)));
        var translator = new BlazeFaceTranslator(input, outputs, anchors, BlazeFaceTranslator.Options.DEFAULT);
        // Anchor 0: centre shifted by 12.8 input px right (0.1), box 32×64 px, keypoint at the anchor; score 0.88.
        // Anchor 1: logit -200 is clipped to -100 and rejected.
        float[] boxes = {12.8f, 0, 32, 64, 0, 0, 0, 0, 10, 10, 0, 0};
        Tensor scores = Tensor.of(new float[] {2f, -200f}, 1, 2, 1);
        // A 400×200 picture letterboxes into a 400×400 square starting 100 px above it.
        RgbImage image = RgbImage.of(400, 200, new int[400 * 200]);
        List<Detection> d = translator.processOutput(ImageRegion.whole(image),
                List.of(scores, Tensor.of(boxes, 1, 2, 6)));
        assertEquals(1, d.size());
        Detection det = d.getFirst();
        assertEquals(1 / (1 + Math.exp(-2)), det.score(), 1e-6);
        assertEquals(0.35 * 400 - 50, det.x(), 1e-3);
        assertEquals(0.5 * 400 - 100 - 100, det.y(), 1e-3);
        assertEquals(100, det.width(), 1e-3);
        assertEquals(200, det.height(), 1e-3);
        assertEquals(100, det.keypointX(0), 1e-3);
        assertEquals(100, det.keypointY(0), 1e-3);
        assertThrows(InferoException.class, () -> new BlazeFaceTranslator(input, outputs.subList(0, 1), anchors,
                BlazeFaceTranslator.Options.DEFAULT));
    }

    @Test
    void faceMeshLandmarksMapBackThroughTheRotatedRegion() {
        ModelInput input = ModelInput.of(new PortInfo("x", ElementType.F32, PartialShape.of(1, 3, 192, 192)),
                InputRange.MINUS_ONE_TO_ONE, false);
        var translator = new FaceMeshTranslator(input, List.of(
                new PortInfo("lm", ElementType.F32, PartialShape.of(1, 6)),
                new PortInfo("flag", ElementType.F32, PartialShape.of(1, 1))));
        assertEquals(2, translator.points());
        RotatedRect roi = new RotatedRect(100, 50, 60, 60, Math.PI / 2);
        var region = new ImageRegion(RgbImage.of(1, 1, new int[1]), roi);
        List<Tensor> outputs = new ArrayList<>();
        outputs.add(Tensor.of(new float[] {96, 96, 0, 192, 96, 19.2f}, 1, 6));
        outputs.add(Tensor.of(new float[] {0}, 1, 1));
        FaceLandmarks lm = translator.processOutput(region, outputs);
        assertEquals(100, lm.x(0), 1e-3);
        assertEquals(50, lm.y(0), 1e-3);
        // The crop's right edge is, turned by 90°, below the centre.
        assertEquals(100, lm.x(1), 1e-3);
        assertEquals(80, lm.y(1), 1e-3);
        assertEquals(6, lm.z(1), 1e-3);
        assertEquals(0.5f, lm.presence(), EPS);
        assertEquals(Math.hypot(0, 30) / 2, lm.meanDistance(new FaceLandmarks(new float[] {100, 50, 0, 100, 50, 0},
                1)), 1e-3);
    }

    @Test
    void tilesOverlapByHalfAndCoverTheLetterbox() {
        List<RotatedRect> tiles = FaceDetector.tiles(300, 150, 2);
        assertEquals(4, tiles.size());
        assertEquals(200, tiles.get(0).width(), 1e-9);
        assertEquals(100, tiles.get(0).centerX(), 1e-9);
        assertEquals(25, tiles.get(0).centerY(), 1e-9);    // the 300×300 letterbox starts 75 px above
        assertEquals(200, tiles.get(3).centerX(), 1e-9);
        assertTrue(tiles.get(3).centerY() > 0);
    }
}
