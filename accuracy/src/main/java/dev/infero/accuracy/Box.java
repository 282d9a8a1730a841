package dev.infero.accuracy;

/**
 * An axis-aligned box in image pixels (original image coordinates), with a class label and, for detections, a
 * confidence; {@code difficult} ground-truth boxes (VOC) neither count as misses nor as false positives.
 */
public record Box(int label, double score, double xmin, double ymin, double xmax, double ymax, boolean difficult) {
    public static Box truth(int label, double xmin, double ymin, double xmax, double ymax) {
        return new Box(label, 1, xmin, ymin, xmax, ymax, false);
    }

    public double area() {
        return Math.max(0, xmax - xmin) * Math.max(0, ymax - ymin);
    }

    /** Intersection over union. */
    public double iou(Box o) {
        double w = Math.min(xmax, o.xmax) - Math.max(xmin, o.xmin);
        double h = Math.min(ymax, o.ymax) - Math.max(ymin, o.ymin);
        if (w <= 0 || h <= 0) {
            return 0;
        }
        double inter = w * h;
        return inter / (area() + o.area() - inter);
    }
}
