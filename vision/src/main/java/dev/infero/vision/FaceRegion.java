package dev.infero.vision;

/**
 * A region of an image to run a landmark model on.
 *
 * @param image the whole picture
 * @param roi   the (rotated) region in its pixels
 */
public record FaceRegion(RgbImage image, RotatedRect roi) {
}
