package dev.infero.accuracy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Non-maximum suppression of detections: hard (keep the best, drop overlaps) or weighted (MediaPipe's blending). */
public final class Nms {
    private Nms() {
    }

    /** Keeps, best first, each box that overlaps no kept box of its label by more than {@code iou}. */
    public static List<Box> hard(List<Box> boxes, double iou) {
        List<Box> sorted = new ArrayList<>(boxes);
        sorted.sort(Comparator.comparingDouble(Box::score).reversed());
        List<Box> kept = new ArrayList<>();
        for (Box b : sorted) {
            boolean overlaps = false;
            for (Box k : kept) {
                if (k.label() == b.label() && k.iou(b) > iou) {
                    overlaps = true;
                    break;
                }
            }
            if (!overlaps) {
                kept.add(b);
            }
        }
        return kept;
    }

    /**
     * MediaPipe's weighted NMS: the best remaining box and every box overlapping it by more than {@code iou} are
     * replaced by their score-weighted average (score of the best). {@code extra} holds per-box values averaged the
     * same way (keypoints), indexed like {@code boxes}; the averaged values are returned in {@code extraOut}.
     */
    public static List<Box> weighted(List<Box> boxes, List<float[]> extra, double iou, List<float[]> extraOut) {
        List<Integer> remaining = new ArrayList<>();
        for (int i = 0; i < boxes.size(); i++) {
            remaining.add(i);
        }
        remaining.sort(Comparator.comparingDouble((Integer i) -> boxes.get(i).score()).reversed());
        List<Box> out = new ArrayList<>();
        while (!remaining.isEmpty()) {
            Box best = boxes.get(remaining.getFirst());
            List<Integer> cluster = new ArrayList<>();
            List<Integer> rest = new ArrayList<>();
            for (int i : remaining) {
                (best.iou(boxes.get(i)) > iou || i == remaining.getFirst() ? cluster : rest).add(i);
            }
            double total = 0;
            double x0 = 0;
            double y0 = 0;
            double x1 = 0;
            double y1 = 0;
            float[] e = extra == null || extra.isEmpty() ? null : new float[extra.get(remaining.getFirst()).length];
            for (int i : cluster) {
                Box b = boxes.get(i);
                total += b.score();
                x0 += b.score() * b.xmin();
                y0 += b.score() * b.ymin();
                x1 += b.score() * b.xmax();
                y1 += b.score() * b.ymax();
                if (e != null) {
                    float[] v = extra.get(i);
                    for (int k = 0; k < e.length; k++) {
                        e[k] += (float) (b.score() * v[k]);
                    }
                }
            }
            out.add(new Box(best.label(), best.score(), x0 / total, y0 / total, x1 / total, y1 / total, false));
            if (e != null) {
                for (int k = 0; k < e.length; k++) {
                    e[k] /= (float) total;
                }
                extraOut.add(e);
            }
            remaining = rest;
        }
        return out;
    }
}
