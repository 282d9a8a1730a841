package dev.infero.vision;

/**
 * The face region a landmark model is cropped from, as MediaPipe's face mesh graph derives it from a detection
 * ({@code DetectionsToRectsCalculator} then {@code RectTransformationCalculator}): the detection box's centre, the
 * box squared on its long side and scaled by 1.5, rotated so the line from the right eye (keypoint 0) to the left
 * eye (keypoint 1) is horizontal in the crop.
 */
public final class FaceAlignment {
    /** MediaPipe's scale of the face box for FaceMesh. */
    public static final double DEFAULT_SCALE = 1.5;

    private FaceAlignment() {
    }

    /** The region for {@code d} with {@link #DEFAULT_SCALE}, eyes as keypoints 0 and 1. */
    public static RotatedRect roi(Detection d) {
        return roi(d, DEFAULT_SCALE, 0, 1);
    }

    /**
     * The square region around {@code d}'s box, {@code scale} times its long side, rotated to bring keypoint
     * {@code from} → {@code to} onto the crop's x axis (target angle 0).
     */
    public static RotatedRect roi(Detection d, double scale, int from, int to) {
        double rotation = 0;
        if (d.keypointCount() > Math.max(from, to)) {
            double dx = d.keypointX(to) - d.keypointX(from);
            double dy = d.keypointY(to) - d.keypointY(from);
            rotation = normalize(-Math.atan2(-dy, dx));
        }
        double side = Math.max(d.width(), d.height()) * scale;
        return new RotatedRect(d.x() + d.width() / 2.0, d.y() + d.height() / 2.0, side, side, rotation);
    }

    /** An angle in {@code [-π, π)}. */
    static double normalize(double angle) {
        return angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI));
    }
}
