package dev.infero.vision;

/**
 * A rectangle in image pixels that may be rotated about its centre (MediaPipe's {@code Rect}, in pixels): the
 * region a model input is cropped from. {@code rotation} is in radians, clockwise on screen (the image's y axis
 * points down), so the rectangle's x axis runs along {@code (cos r, sin r)} in the image.
 */
public record RotatedRect(double centerX, double centerY, double width, double height, double rotation) {
    /** The axis-aligned rectangle with top-left {@code (x, y)}. */
    public static RotatedRect ofBox(double x, double y, double width, double height) {
        return new RotatedRect(x + width / 2, y + height / 2, width, height, 0);
    }

    /**
     * The square of side {@code max(width, height)} centred on a {@code width × height} image: feeding it to a
     * square model input letterboxes the image (keeps its aspect ratio, pads the short side).
     */
    public static RotatedRect letterbox(int width, int height) {
        double side = Math.max(width, height);
        return new RotatedRect(width / 2.0, height / 2.0, side, side, 0);
    }

    /** Image x of the point at normalized rectangle coordinates {@code (u, v)} ({@code (0,0)} top-left corner). */
    public double imageX(double u, double v) {
        double dx = (u - 0.5) * width;
        double dy = (v - 0.5) * height;
        return centerX + dx * Math.cos(rotation) - dy * Math.sin(rotation);
    }

    /** Image y of the point at normalized rectangle coordinates {@code (u, v)}. */
    public double imageY(double u, double v) {
        double dx = (u - 0.5) * width;
        double dy = (v - 0.5) * height;
        return centerY + dx * Math.sin(rotation) + dy * Math.cos(rotation);
    }

    /** The four corners in image pixels, clockwise from top-left: {@code x0,y0,x1,y1,...}. */
    public double[] corners() {
        double[] uv = {0, 0, 1, 0, 1, 1, 0, 1};
        double[] out = new double[8];
        for (int i = 0; i < 4; i++) {
            out[2 * i] = imageX(uv[2 * i], uv[2 * i + 1]);
            out[2 * i + 1] = imageY(uv[2 * i], uv[2 * i + 1]);
        }
        return out;
    }
}
