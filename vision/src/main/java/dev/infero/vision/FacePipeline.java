package dev.infero.vision;

import dev.infero.api.Core;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * MediaPipe's face mesh pipeline on one picture: BlazeFace detections, each face's aligned region (1.5× its box,
 * eyes level), FaceMesh on the crop, landmarks mapped back to the picture.
 *
 * <pre>{@code
 * try (var core = new Core();
 *      var pipeline = FacePipeline.open(core, Path.of("blazeface.onnx"), Path.of("facemesh.onnx"),
 *              FacePipeline.Options.DEFAULT)) {
 *     for (Face face : pipeline.process(RgbImage.read(Path.of("photo.jpg")))) {
 *         System.out.println(face.detection().score() + " " + face.landmarks().x(1));
 *     }
 * }
 * }</pre>
 *
 * <p>Works with FP32, FP16 and INT8 variants of both models, ONNX or IR. Not thread-safe (one inference request per
 * model); open one pipeline per thread.
 */
public final class FacePipeline implements AutoCloseable {
    /**
     * Pipeline settings.
     *
     * @param device        device for both models ({@code "CPU"})
     * @param config        compile properties (e.g. {@code INFERENCE_NUM_THREADS})
     * @param detection     detector decoding and suppression
     * @param roiScale      face region size relative to the detection box's long side (MediaPipe: 1.5)
     * @param maxFaces      at most this many faces, best first (≤ 0: all)
     * @param tiles         also detect on {@code tiles × tiles} overlapping tiles (1: the whole picture only),
     *                      for faces small in the picture
     * @param detectorRange input range of the detector when its preprocessing is not embedded
     * @param landmarkRange input range of the landmark model when its preprocessing is not embedded
     * @param anchors       the detector's anchors ({@code null}: MediaPipe's front-model anchors)
     */
    public record Options(String device, Map<String, String> config, BlazeFaceTranslator.Options detection,
                          double roiScale, int maxFaces, int tiles, InputRange detectorRange, InputRange landmarkRange,
                          Anchors anchors) {
        /** CPU, MediaPipe's settings, inputs in [-1, 1]. */
        public static final Options DEFAULT = new Options("CPU", Map.of(), BlazeFaceTranslator.Options.DEFAULT,
                FaceAlignment.DEFAULT_SCALE, 0, 1, InputRange.MINUS_ONE_TO_ONE, InputRange.MINUS_ONE_TO_ONE, null);

        public Options {
            config = Map.copyOf(config);
        }

        public Options withConfig(Map<String, String> newConfig) {
            return new Options(device, newConfig, detection, roiScale, maxFaces, tiles, detectorRange, landmarkRange,
                    anchors);
        }

        public Options withDetection(BlazeFaceTranslator.Options newDetection) {
            return new Options(device, config, newDetection, roiScale, maxFaces, tiles, detectorRange, landmarkRange,
                    anchors);
        }

        public Options withTiles(int newTiles) {
            return new Options(device, config, detection, roiScale, maxFaces, newTiles, detectorRange, landmarkRange,
                    anchors);
        }

        public Options withAnchors(Anchors newAnchors) {
            return new Options(device, config, detection, roiScale, maxFaces, tiles, detectorRange, landmarkRange,
                    newAnchors);
        }
    }

    private final FaceDetector detector;
    private final FaceLandmarker landmarker;
    private final Options options;

    /** A pipeline over an open detector and landmarker; closing the pipeline closes both. */
    public FacePipeline(FaceDetector detector, FaceLandmarker landmarker, Options options) {
        this.detector = detector;
        this.landmarker = landmarker;
        this.options = options;
    }

    /** Reads and compiles both models. */
    public static FacePipeline open(Core core, Path detectorModel, Path landmarkModel, Options options) {
        FaceDetector detector = FaceDetector.open(core, detectorModel, options.device(), options.config(),
                options.detectorRange(), options.anchors(), options.detection());
        try {
            FaceLandmarker landmarker = FaceLandmarker.open(core, landmarkModel, options.device(), options.config(),
                    options.landmarkRange());
            return new FacePipeline(detector, landmarker, options);
        } catch (RuntimeException e) {
            detector.close();
            throw e;
        }
    }

    /** The faces on {@code image}, best detection first. */
    public List<Face> process(RgbImage image) {
        return process(image, options.tiles());
    }

    /** The faces on {@code image} with the detector also run on {@code tiles × tiles} tiles (1: none). */
    public List<Face> process(RgbImage image, int tiles) {
        List<Detection> detections = detector.detect(image, tiles);
        List<Face> faces = new ArrayList<>();
        for (Detection d : detections) {
            if (options.maxFaces() > 0 && faces.size() >= options.maxFaces()) {
                break;
            }
            RotatedRect roi = FaceAlignment.roi(d, options.roiScale(), 0, 1);
            faces.add(new Face(d, roi, landmarker.landmarks(new ImageRegion(image, roi))));
        }
        return faces;
    }

    /** {@link #process(RgbImage)} on a decoded picture. */
    public List<Face> process(BufferedImage image) {
        return process(RgbImage.of(image));
    }

    /** {@link #process(RgbImage)} on an image file (a clear error for a missing or unreadable one). */
    public List<Face> process(Path imageFile) {
        return process(RgbImage.read(imageFile));
    }

    public FaceDetector detector() {
        return detector;
    }

    public FaceLandmarker landmarker() {
        return landmarker;
    }

    @Override
    public void close() {
        try {
            detector.close();
        } finally {
            landmarker.close();
        }
    }
}
