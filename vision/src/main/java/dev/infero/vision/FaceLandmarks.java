package dev.infero.vision;

/**
 * A face's landmarks in image pixels: for FaceMesh 468 points {@code (x, y, z)}, {@code z} the depth relative to
 * the face centre in the same pixel scale (smaller is closer to the camera), and the model's face presence score.
 *
 * @param points   {@code x0, y0, z0, x1, y1, z1, ...}
 * @param presence probability that the crop holds a face (sigmoid of the model's face flag)
 */
public record FaceLandmarks(float[] points, float presence) {
    public FaceLandmarks {
        points = points.clone();
    }

    @Override
    public float[] points() {
        return points.clone();
    }

    public int count() {
        return points.length / 3;
    }

    public float x(int i) {
        return points[3 * i];
    }

    public float y(int i) {
        return points[3 * i + 1];
    }

    public float z(int i) {
        return points[3 * i + 2];
    }

    /** Mean 2-D distance in pixels between corresponding landmarks of the two sets (same count required). */
    public double meanDistance(FaceLandmarks other) {
        if (other.count() != count()) {
            throw new IllegalArgumentException("landmark counts differ: " + count() + " vs " + other.count());
        }
        double sum = 0;
        for (int i = 0; i < count(); i++) {
            sum += Math.hypot(x(i) - other.x(i), y(i) - other.y(i));
        }
        return count() == 0 ? 0 : sum / count();
    }
}
