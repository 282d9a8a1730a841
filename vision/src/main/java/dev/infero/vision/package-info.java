/**
 * Vision pipelines on the runtime API, with the pre- and post-processing kept apart from inference as DJL's
 * {@code Translator} does: a {@link dev.infero.vision.Translator} turns a domain input into tensors and the model's
 * outputs back into a domain result, a {@link dev.infero.vision.Predictor} runs one between them on a
 * {@link dev.infero.api.CompiledModel}.
 *
 * <p>The face pipeline follows MediaPipe's face mesh graph: {@link dev.infero.vision.BlazeFaceTranslator} (letterbox,
 * box and keypoint decoding with the SSD anchors, sigmoid scores, weighted non-maximum suppression),
 * {@link dev.infero.vision.FaceAlignment} (the detection's rectangle, squared, scaled by 1.5 and rotated so the eye
 * line is horizontal), {@link dev.infero.vision.FaceMeshTranslator} (the aligned crop in, 468 landmarks mapped back
 * to image coordinates out) and {@link dev.infero.vision.FacePipeline}, which runs them all.
 */
package dev.infero.vision;
