package dev.infero.vision;

/**
 * One detected object: an axis-aligned box and keypoints in image pixels, with its score. For BlazeFace the six
 * keypoints are the right eye, left eye, nose tip, mouth centre, right ear tragion and left ear tragion (right and
 * left of the person, so the right eye is on the image's left).
 *
 * @param score     confidence in {@code [0, 1]}
 * @param x         left edge
 * @param y         top edge
 * @param width     box width
 * @param height    box height
 * @param keypoints {@code x0, y0, x1, y1, ...}
 */
public record Detection(float score, float x, float y, float width, float height, float[] keypoints) {
    public Detection {
        keypoints = keypoints.clone();
    }

    /** Number of keypoints. */
    public int keypointCount() {
        return keypoints.length / 2;
    }

    public float keypointX(int i) {
        return keypoints[2 * i];
    }

    public float keypointY(int i) {
        return keypoints[2 * i + 1];
    }

    @Override
    public float[] keypoints() {
        return keypoints.clone();
    }

    /** Intersection over union of the two boxes (0 when either is empty). */
    public float iou(Detection other) {
        float ix = Math.min(x + width, other.x + other.width) - Math.max(x, other.x);
        float iy = Math.min(y + height, other.y + other.height) - Math.max(y, other.y);
        if (ix <= 0 || iy <= 0) {
            return 0;
        }
        float inter = ix * iy;
        float union = width * height + other.width * other.height - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /** Whether the point lies in the box grown by {@code margin} times its size on every side. */
    public boolean contains(double px, double py, double margin) {
        double mx = width * margin;
        double my = height * margin;
        return px >= x - mx && px <= x + width + mx && py >= y - my && py <= y + height + my;
    }
}
