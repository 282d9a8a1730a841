package dev.infero.accuracy;

import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.vision.Anchors;
import dev.infero.vision.BlazeFaceTranslator;
import dev.infero.vision.Detection;
import dev.infero.vision.NonMaxSuppression;
import dev.infero.vision.RotatedRect;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The adapters Infero implements (launcher {@code adapter}: a name, or a mapping with {@code type} and parameters):
 * <ul>
 *   <li>{@code classification}: class scores from the first output (or {@code classification_output});</li>
 *   <li>{@code ssd}: OpenVINO's {@code DetectionOutput} {@code [1,1,N,7]} rows {@code image, label, score, x0, y0,
 *       x1, y1} with coordinates relative to the input;</li>
 *   <li>{@code blazeface}: anchor-based face detector — regressors {@code [1,N,4+2K]} and scores {@code [1,N,1]}
 *       decoded against {@code anchors} ({@code .npy} N×4 centre/size, relative), sigmoid scores above
 *       {@code score_threshold} (0.75), weighted NMS at {@code nms_threshold} (0.3), as MediaPipe does;</li>
 *   <li>{@code ultraface}: scores {@code [1,N,2]} and corner boxes {@code [1,N,4]} relative to the input, hard NMS;</li>
 *   <li>{@code landmarks_regression} (5-point: {@code [1,2K]} relative to the input) and {@code facemesh}
 *       ({@code [.., 3K]} x, y, z in input pixels);</li>
 *   <li>{@code reid} / {@code face_embedding}: the first output as an embedding vector.</li>
 * </ul>
 */
public final class Adapters {
    public static final List<String> NAMES = List.of("classification", "ssd", "blazeface", "ultraface",
            "landmarks_regression", "facemesh", "reid", "face_embedding");

    private Adapters() {
    }

    /** Builds the adapter of {@code launcher} ({@code launcher.adapter}). */
    public static Adapter create(ConfigNode launcher) {
        String type;
        ConfigNode params = null;
        if (launcher.node().get("adapter") != null && launcher.node().get("adapter").isObject()) {
            params = launcher.object("adapter", true);
            type = params.string("type", true);
        } else {
            type = launcher.string("adapter", true);
        }
        String field = params == null ? launcher.at("adapter") : params.at("type");
        return switch (type) {
            case "classification" -> {
                only(params, "type", "classification_output");
                yield classification(params == null ? null : params.string("classification_output", (String) null));
            }
            case "ssd" -> {
                only(params, "type", "out");
                yield ssd(params == null ? null : params.string("out", (String) null));
            }
            case "blazeface" -> {
                if (params == null) {
                    throw new AccuracyConfigException(launcher.at("adapter") + ": blazeface needs its anchors:"
                            + " adapter: {type: blazeface, anchors: anchors.npy}");
                }
                params.only("type", "anchors", "score_threshold", "nms_threshold", "x_scale", "y_scale", "w_scale",
                        "h_scale");
                Path anchorsFile = params.file("anchors", true);
                Anchors anchors;
                try {
                    anchors = Anchors.load(anchorsFile);
                } catch (InferoException e) {
                    throw new AccuracyConfigException(params.at("anchors") + ": " + e.getMessage());
                }
                yield new BlazeFace(anchors, params.number("score_threshold", 0.75),
                        params.number("nms_threshold", 0.3), params.number("x_scale", 0),
                        params.number("y_scale", 0), params.number("w_scale", 0), params.number("h_scale", 0));
            }
            case "ultraface" -> {
                only(params, "type", "score_threshold", "nms_threshold");
                yield new UltraFace(params == null ? 0.7 : params.number("score_threshold", 0.7),
                        params == null ? 0.3 : params.number("nms_threshold", 0.3));
            }
            case "landmarks_regression" -> {
                only(params, "type");
                yield new Landmarks("landmarks_regression", 2, true);
            }
            case "facemesh" -> {
                only(params, "type");
                yield new Landmarks("facemesh", 3, false);
            }
            case "reid", "face_embedding" -> {
                only(params, "type");
                yield new Embedding(type);
            }
            default -> throw new AccuracyConfigException(field + ": unknown adapter \"" + type + "\"; expected one of "
                    + String.join(", ", NAMES));
        };
    }

    private static void only(ConfigNode params, String... keys) {
        if (params != null) {
            params.only(keys);
        }
    }

    static Tensor output(List<String> names, List<Tensor> outputs, String name, String adapter) {
        if (name == null) {
            return outputs.getFirst();
        }
        int i = names.indexOf(name);
        if (i < 0) {
            throw new InferoException("adapter " + adapter + ": the model has no output '" + name + "' (outputs: "
                    + String.join(", ", names) + ")");
        }
        return outputs.get(i);
    }

    public static Adapter classification(String outputName) {
        return new Adapter() {
            public String name() {
                return "classification";
            }

            public Prediction process(List<String> names, List<Tensor> outputs, Preprocessor.Geometry g) {
                return new Prediction.Scores(output(names, outputs, outputName, "classification").toFloatArray());
            }
        };
    }

    public static Adapter ssd(String outputName) {
        return new Adapter() {
            public String name() {
                return "ssd";
            }

            public Prediction process(List<String> names, List<Tensor> outputs, Preprocessor.Geometry g) {
                Tensor t = output(names, outputs, outputName, "ssd");
                if (t.size() % 7 != 0) {
                    throw new InferoException("adapter ssd: output of shape " + java.util.Arrays.toString(t.shape())
                            + " is not DetectionOutput's [1,1,N,7]");
                }
                float[] v = t.toFloatArray();
                List<Box> boxes = new ArrayList<>();
                for (int i = 0; i + 7 <= v.length; i += 7) {
                    if (v[i] < 0) {
                        break;   // DetectionOutput ends its rows with image id -1
                    }
                    boxes.add(new Box((int) v[i + 1], v[i + 2], g.toImageX(v[i + 3] * g.inputWidth()),
                            g.toImageY(v[i + 4] * g.inputHeight()), g.toImageX(v[i + 5] * g.inputWidth()),
                            g.toImageY(v[i + 6] * g.inputHeight()), false));
                }
                return new Prediction.Detections(boxes);
            }
        };
    }

    /**
     * MediaPipe BlazeFace decoding — boxes and keypoints relative to anchors, clipped sigmoid scores, weighted NMS —
     * done by the vision module ({@link BlazeFaceTranslator#decode}, {@link NonMaxSuppression#weighted}); the
     * scales default to the input size.
     */
    record BlazeFace(Anchors anchors, double scoreThreshold, double nmsThreshold, double xScale, double yScale,
                     double wScale, double hScale) implements Adapter {
        public String name() {
            return "blazeface";
        }

        public Prediction process(List<String> names, List<Tensor> outputs, Preprocessor.Geometry g) {
            var scales = new BlazeFaceTranslator.Scales(scale(xScale, g.inputWidth()), scale(yScale, g.inputHeight()),
                    scale(wScale, g.inputWidth()), scale(hScale, g.inputHeight()));
            List<Detection> found;
            try {
                found = BlazeFaceTranslator.decode(anchors, outputs, scales, (float) scoreThreshold,
                        BlazeFaceTranslator.Options.DEFAULT.scoreClip(), inputFrame(g));
            } catch (InferoException e) {
                throw new InferoException("adapter blazeface: " + e.getMessage(), e);
            }
            return new Prediction.Detections(boxes(NonMaxSuppression.weighted(found, (float) nmsThreshold, 0)));
        }

        private static float scale(double configured, int inputSize) {
            return (float) (configured > 0 ? configured : inputSize);
        }
    }

    /**
     * The model input as a rectangle in original image pixels: normalized input coordinates {@code (u, v)} map to
     * {@code (px(u), px(v))}, as {@link #px} does.
     */
    static RotatedRect inputFrame(Preprocessor.Geometry g) {
        double x0 = g.toImageX(0);
        double y0 = g.toImageY(0);
        return RotatedRect.ofBox(x0, y0, g.toImageX(g.inputWidth()) - x0, g.toImageY(g.inputHeight()) - y0);
    }

    /** Vision's detections (image pixels) as label-0 boxes. */
    static List<Box> boxes(List<Detection> detections) {
        return detections.stream().map(d -> new Box(0, d.score(), d.x(), d.y(), d.x() + d.width(),
                d.y() + d.height(), false)).toList();
    }

    /** A coordinate relative to the input (0..1) in original image pixels. */
    static double px(Preprocessor.Geometry g, double relative, boolean x) {
        return x ? g.toImageX(relative * g.inputWidth()) : g.toImageY(relative * g.inputHeight());
    }

    /** UltraFace (Ultra-Light-Fast-Generic-Face-Detector): softmax scores [1,N,2], corner boxes [1,N,4]. */
    record UltraFace(double scoreThreshold, double nmsThreshold) implements Adapter {
        public String name() {
            return "ultraface";
        }

        public Prediction process(List<String> names, List<Tensor> outputs, Preprocessor.Geometry g) {
            Tensor scores = null;
            Tensor boxes = null;
            for (Tensor t : outputs) {
                int last = t.dim(t.rank() - 1);
                if (last == 2) {
                    scores = t;
                } else if (last == 4) {
                    boxes = t;
                }
            }
            if (scores == null || boxes == null || scores.size() / 2 != boxes.size() / 4) {
                throw new InferoException("adapter ultraface: expected outputs scores [1,N,2] and boxes [1,N,4]");
            }
            float[] s = scores.toFloatArray();
            float[] b = boxes.toFloatArray();
            List<Detection> found = new ArrayList<>();
            for (int i = 0; i < s.length / 2; i++) {
                if (s[2 * i + 1] >= scoreThreshold) {
                    double x0 = px(g, b[4 * i], true);
                    double y0 = px(g, b[4 * i + 1], false);
                    found.add(new Detection(s[2 * i + 1], (float) x0, (float) y0,
                            (float) (px(g, b[4 * i + 2], true) - x0), (float) (px(g, b[4 * i + 3], false) - y0),
                            new float[0]));
                }
            }
            return new Prediction.Detections(boxes(NonMaxSuppression.plain(found, (float) nmsThreshold, 0)));
        }
    }

    /** Landmarks: {@code dims} values per point (x, y[, z]), relative to the input or in input pixels. */
    record Landmarks(String name, int dims, boolean relative) implements Adapter {
        public Prediction process(List<String> names, List<Tensor> outputs, Preprocessor.Geometry g) {
            Tensor t = null;
            for (Tensor o : outputs) {
                if (o.size() % dims == 0 && o.size() >= 2 * dims && (t == null || o.size() > t.size())) {
                    t = o;
                }
            }
            if (t == null) {
                throw new InferoException("adapter " + name + ": no output holds points of " + dims + " values");
            }
            float[] v = t.toFloatArray();
            int points = v.length / dims;
            float[] xy = new float[2 * points];
            for (int p = 0; p < points; p++) {
                double x = v[p * dims];
                double y = v[p * dims + 1];
                xy[2 * p] = (float) (relative ? px(g, x, true) : g.toImageX(x));
                xy[2 * p + 1] = (float) (relative ? px(g, y, false) : g.toImageY(y));
            }
            return new Prediction.Points(xy);
        }
    }

    record Embedding(String name) implements Adapter {
        public Prediction process(List<String> names, List<Tensor> outputs, Preprocessor.Geometry g) {
            return new Prediction.Embedding(outputs.getFirst().toFloatArray());
        }
    }
}
