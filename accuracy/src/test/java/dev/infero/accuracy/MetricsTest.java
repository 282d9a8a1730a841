package dev.infero.accuracy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every metric against values worked out by hand (the derivations are in the comments), not against itself. */
class MetricsTest {
    private static Box det(double score, double x0, double y0, double x1, double y1) {
        return new Box(0, score, x0, y0, x1, y1, false);
    }

    @Test
    void topKAccuracy() {
        List<Annotation> a = List.of(new Annotation.Label(0), new Annotation.Label(2), new Annotation.Label(1));
        List<Prediction> p = List.of(new Prediction.Scores(new float[] {0.9f, 0.05f, 0.05f}),   // rank 1
                new Prediction.Scores(new float[] {0.5f, 0.3f, 0.2f}),                           // rank 3
                new Prediction.Scores(new float[] {0.3f, 0.4f, 0.3f}));                          // rank 1
        assertEquals(2.0 / 3, Metrics.accuracy("top1", 1).evaluate(a, p), 1e-12);
        assertEquals(2.0 / 3, Metrics.accuracy("top2", 2).evaluate(a, p), 1e-12);
        assertEquals(1.0, Metrics.accuracy("top3", 3).evaluate(a, p), 1e-12);
    }

    /**
     * The VOC worked example: one class, 3 objects (two in image A, one in B), five detections sorted by score giving
     * TP, FP (in B, on nothing), TP, FP (second hit on A's first object), TP. Recall 1/3 1/3 2/3 2/3 1, precision 1 1/2
     * 2/3 1/2 3/5. 11-point: recall ≥ 0..0.3 → 1 (4 points), ≥ 0.4..0.6 → 2/3 (3), ≥ 0.7..1 → 3/5 (4):
     * (4 + 2 + 2.4) / 11 = 0.763636. Area under the monotone curve: 1/3·1 + 1/3·2/3 + 1/3·3/5 = 34/45 = 0.755556.
     */
    static List<Annotation> vocTruth = List.of(
            new Annotation.Boxes(List.of(Box.truth(0, 0, 0, 10, 10), Box.truth(0, 20, 20, 30, 30))),
            new Annotation.Boxes(List.of(Box.truth(0, 0, 0, 10, 10))));
    static List<Prediction> vocDetections = List.of(
            new Prediction.Detections(List.of(det(0.9, 0, 0, 10, 10), det(0.6, 1, 1, 10, 10),
                    det(0.5, 20, 20, 30, 31))),
            new Prediction.Detections(List.of(det(0.8, 50, 50, 60, 60), det(0.7, 0, 1, 10, 10))));

    @Test
    void vocAveragePrecisionWorkedExample() {
        assertEquals(8.4 / 11, Metrics.map("map", 0.5, true).evaluate(vocTruth, vocDetections), 1e-9);
        assertEquals(34.0 / 45, Metrics.map("map", 0.5, false).evaluate(vocTruth, vocDetections), 1e-9);
        assertEquals(1.0, Metrics.recall("recall", 0.5).evaluate(vocTruth, vocDetections), 1e-12);
        // At IoU 0.95 only the exact boxes count: d1 (TP), d4 duplicate (FP)... d3 (0,1,10,10) has IoU 0.9: FP.
        assertEquals(1.0 / 3, Metrics.recall("recall", 0.95).evaluate(vocTruth, vocDetections), 1e-12);
    }

    @Test
    void mapAveragesOverClassesAndIgnoresDifficultObjects() {
        // Class 1: one object found exactly (AP 1); class 0: one object missed, one detection elsewhere (AP 0).
        List<Annotation> a = List.of(new Annotation.Boxes(List.of(new Box(1, 1, 0, 0, 10, 10, false),
                Box.truth(0, 40, 40, 50, 50), new Box(0, 1, 70, 70, 80, 80, true))));
        List<Prediction> p = List.of(new Prediction.Detections(List.of(new Box(1, 0.9, 0, 0, 10, 10, false),
                new Box(0, 0.8, 70, 70, 80, 80, false))));   // on the difficult object: neither TP nor FP
        assertEquals(0.5, Metrics.map("map", 0.5, false).evaluate(a, p), 1e-12);
        assertEquals(0.5, Metrics.recall("recall", 0.5).evaluate(a, p), 1e-12);
    }

    @Test
    void missRateAtAFalsePositivesPerImageLevel() {
        // The VOC example plus an image C with an object nobody found: 4 objects, 3 images. Sweeping by score: d1 TP,
        // d2 FP (1/3 FP per image), d3 TP, d4 FP (2/3), d5 TP. At ≤ 0.5 FPPI the best recall is 2/4 → miss rate 0.5;
        // at ≤ 1 FPPI all five count, recall 3/4 → 0.25.
        List<Annotation> a = new ArrayList<>(vocTruth);
        a.add(new Annotation.Boxes(List.of(Box.truth(0, 5, 5, 15, 15))));
        List<Prediction> p = new ArrayList<>(vocDetections);
        p.add(new Prediction.Detections(List.of()));
        assertEquals(0.5, Metrics.missRate("mr", 0.5, 0.5).evaluate(a, p), 1e-12);
        assertEquals(0.25, Metrics.missRate("mr", 0.5, 1.0).evaluate(a, p), 1e-12);
        assertEquals(0.75, Metrics.recall("recall", 0.5).evaluate(a, p), 1e-12);
    }

    @Test
    void landmarkErrors() {
        // Eyes 10 px apart; predicted points off by 1 px and 2 px: NME = (1 + 2) / 2 / 10 = 0.15.
        List<Annotation> a = List.of(new Annotation.Points(new float[] {0, 0, 10, 0}));
        List<Prediction> p = List.of(new Prediction.Points(new float[] {1, 0, 10, 2}));
        assertEquals(0.15, Metrics.normedError("nme", 0, 1).evaluate(a, p), 1e-9);
        // Without eye indices: over the diagonal of the annotated points' box (10 × 0): 1.5 / 10.
        assertEquals(0.15, Metrics.normedError("nme", -1, -1).evaluate(a, p), 1e-9);
        // Coordinate differences 1, 0, 0, 2: MAE 0.75, MSE 5/4.
        assertEquals(0.75, Metrics.pointError("mae", false).evaluate(a, p), 1e-9);
        assertEquals(1.25, Metrics.pointError("mse", true).evaluate(a, p), 1e-9);
    }

    @Test
    void faceVerificationAccuracy() {
        // A1 (1,0), A2 (1,0.2), B1 (0,1), B2 (0.6,0.8). Same-identity cosines: 0.9806, 0.8. Of the four
        // different-identity pairs two are kept, evenly spread: A1-B2 0.6 and A2-B2 0.7452. The best threshold
        // (between 0.7452 and 0.8) gets all four right; at 0.7, A2-B2 is wrongly "same": 3/4.
        List<Annotation> a = List.of(new Annotation.Identity("A"), new Annotation.Identity("A"),
                new Annotation.Identity("B"), new Annotation.Identity("B"));
        List<Prediction> p = List.of(new Prediction.Embedding(new float[] {1, 0}),
                new Prediction.Embedding(new float[] {1, 0.2f}), new Prediction.Embedding(new float[] {0, 1}),
                new Prediction.Embedding(new float[] {0.6f, 0.8f}));
        assertEquals(1.0, Metrics.verification("v", Double.NaN).evaluate(a, p), 1e-12);
        assertEquals(0.75, Metrics.verification("v", 0.7).evaluate(a, p), 1e-12);
    }

    @Test
    void aMetricGivenTheWrongKindOfPredictionSaysSo() {
        InferoException e = assertThrows(InferoException.class, () -> Metrics.map("map", 0.5, false)
                .evaluate(List.of(new Annotation.Label(1)), List.of(new Prediction.Scores(new float[2]))));
        assertTrue(e.getMessage().startsWith("metric map cannot use class labels (needs boxes)"), e.getMessage());
    }
}
