package dev.infero.vision;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Non-maximum suppression as MediaPipe's {@code NonMaxSuppressionCalculator} does it, with intersection over union
 * as the overlap.
 */
public final class NonMaxSuppression {
    /** The two algorithms of MediaPipe's calculator. */
    public enum Mode {
        /** Keep the best box, drop every box overlapping it by more than the threshold ({@code DEFAULT}). */
        PLAIN,
        /**
         * Replace the best box by the score-weighted mean of it and every box overlapping it by more than the
         * threshold (boxes and keypoints), keeping the best box's score ({@code WEIGHTED}, BlazeFace's choice:
         * steadier boxes than picking one of many near-identical anchors).
         */
        WEIGHTED
    }

    private NonMaxSuppression() {
    }

    /** Suppresses {@code detections} with {@code mode}; at most {@code maxDetections} (≤ 0: all), best first. */
    public static List<Detection> apply(List<Detection> detections, Mode mode, float threshold, int maxDetections) {
        return mode == Mode.WEIGHTED ? weighted(detections, threshold, maxDetections)
                : plain(detections, threshold, maxDetections);
    }

    /** MediaPipe's {@code DEFAULT} suppression. */
    public static List<Detection> plain(List<Detection> detections, float threshold, int maxDetections) {
        List<Detection> sorted = sorted(detections);
        List<Detection> kept = new ArrayList<>();
        for (Detection d : sorted) {
            if (maxDetections > 0 && kept.size() >= maxDetections) {
                break;
            }
            boolean suppressed = false;
            for (Detection k : kept) {
                if (k.iou(d) > threshold) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) {
                kept.add(d);
            }
        }
        return kept;
    }

    /** MediaPipe's {@code WEIGHTED} suppression. */
    public static List<Detection> weighted(List<Detection> detections, float threshold, int maxDetections) {
        List<Detection> remaining = sorted(detections);
        List<Detection> out = new ArrayList<>();
        while (!remaining.isEmpty() && (maxDetections <= 0 || out.size() < maxDetections)) {
            Detection best = remaining.get(0);
            List<Detection> candidates = new ArrayList<>();
            List<Detection> rest = new ArrayList<>();
            for (Detection d : remaining) {
                (d.iou(best) > threshold ? candidates : rest).add(d);
            }
            out.add(candidates.isEmpty() ? best : average(best, candidates));
            if (rest.size() == remaining.size()) {
                break;
            }
            remaining = rest;
        }
        return out;
    }

    private static Detection average(Detection best, List<Detection> candidates) {
        double total = 0;
        double x0 = 0;
        double y0 = 0;
        double x1 = 0;
        double y1 = 0;
        double[] kp = new double[best.keypointCount() * 2];
        for (Detection c : candidates) {
            double s = c.score();
            total += s;
            x0 += c.x() * s;
            y0 += c.y() * s;
            x1 += (c.x() + c.width()) * s;
            y1 += (c.y() + c.height()) * s;
            for (int k = 0; k < kp.length; k++) {
                kp[k] += (k % 2 == 0 ? c.keypointX(k / 2) : c.keypointY(k / 2)) * s;
            }
        }
        float[] keypoints = new float[kp.length];
        for (int k = 0; k < kp.length; k++) {
            keypoints[k] = (float) (kp[k] / total);
        }
        return new Detection(best.score(), (float) (x0 / total), (float) (y0 / total), (float) ((x1 - x0) / total),
                (float) ((y1 - y0) / total), keypoints);
    }

    private static List<Detection> sorted(List<Detection> detections) {
        List<Detection> s = new ArrayList<>(detections);
        s.sort(Comparator.comparingDouble(Detection::score).reversed());
        return s;
    }
}
