package dev.infero.vision;

/**
 * A region of an image to run a model on: the whole picture letterboxed, a tile of it, or an aligned face.
 *
 * @param image the whole picture
 * @param roi   the (rotated) region in its pixels; parts outside the picture read as black
 */
public record ImageRegion(RgbImage image, RotatedRect roi) {
    /** The whole of {@code image}, letterboxed into a square. */
    public static ImageRegion whole(RgbImage image) {
        return new ImageRegion(image, RotatedRect.letterbox(image.width(), image.height()));
    }
}
