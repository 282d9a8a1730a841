package dev.infero.vision;

/**
 * One face found by {@link FacePipeline}.
 *
 * @param detection the detector's box, keypoints and score
 * @param roi       the aligned region the landmark model saw
 * @param landmarks the landmarks in image pixels
 */
public record Face(Detection detection, RotatedRect roi, FaceLandmarks landmarks) {
}
