package dev.infero.vision;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.Model;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A BlazeFace model with its {@link BlazeFaceTranslator}: image in, face detections in image pixels out. With
 * {@code tiles > 1} the detector also runs on a {@code tiles × tiles} grid of overlapping square tiles (each
 * {@code 2/(tiles+1)} of the image's long side, half overlapping its neighbours), so faces too small for the
 * model's input at full frame are seen magnified. All detections are suppressed together; of two boxes that still
 * mostly overlap (a face seen whole and, cut by a tile edge, in part) the larger is kept.
 */
public final class FaceDetector extends Predictor<ImageRegion, List<Detection>> {
    /** Runs {@code model} with {@code translator}; {@code ownsModel}: close the model with this detector. */
    public FaceDetector(CompiledModel model, BlazeFaceTranslator translator, boolean ownsModel) {
        super(model, translator, ownsModel);
    }

    /**
     * Reads and compiles a BlazeFace model (ONNX or IR, FP32/FP16/INT8) for {@code device}: the input range is
     * {@link InputRange#RAW} when preprocessing was embedded at conversion, else {@code range}.
     *
     * @param anchors the model's anchors ({@code null}: MediaPipe's front-model anchors)
     */
    public static FaceDetector open(Core core, Path file, String device, Map<String, String> config,
                                    InputRange range, Anchors anchors, BlazeFaceTranslator.Options options) {
        Model model = core.readModel(file);
        ModelInput input = ModelInput.of(model, range);
        CompiledModel compiled = core.compileModel(model, device, config);
        try {
            var translator = new BlazeFaceTranslator(input, compiled.outputs(),
                    anchors == null ? Anchors.blazeFaceFront() : anchors, options);
            return new FaceDetector(compiled, translator, true);
        } catch (RuntimeException e) {
            compiled.close();
            throw e;
        }
    }

    /** The detections on the whole of {@code image} (letterboxed), best first. */
    public List<Detection> detect(RgbImage image) {
        return predict(ImageRegion.whole(image));
    }

    /**
     * The detections on {@code image} seen whole and as {@code tiles × tiles} overlapping tiles (1: whole only),
     * suppressed together, best first.
     */
    public List<Detection> detect(RgbImage image, int tiles) {
        if (tiles <= 1) {
            return detect(image);
        }
        List<Detection> all = new ArrayList<>(detect(image));
        for (RotatedRect tile : tiles(image.width(), image.height(), tiles)) {
            all.addAll(predict(new ImageRegion(image, tile)));
        }
        var o = ((BlazeFaceTranslator) translator()).options();
        List<Detection> merged = NonMaxSuppression.apply(all, o.nms(), o.nmsThreshold(), 0);
        // A face seen whole and, in a tile, in part: keep the larger box of two that mostly overlap.
        List<Detection> out = new ArrayList<>();
        for (Detection d : merged) {
            int conflict = -1;
            for (int k = 0; k < out.size() && conflict < 0; k++) {
                if (intersection(d, out.get(k)) > 0.5f * Math.min(area(d), area(out.get(k)))) {
                    conflict = k;
                }
            }
            if (conflict < 0) {
                out.add(d);
            } else if (area(d) > area(out.get(conflict))) {
                out.set(conflict, d);
            }
        }
        out.sort(java.util.Comparator.comparingDouble(Detection::score).reversed());
        return o.maxDetections() > 0 && out.size() > o.maxDetections() ? out.subList(0, o.maxDetections()) : out;
    }

    private static float area(Detection d) {
        return d.width() * d.height();
    }

    private static float intersection(Detection a, Detection b) {
        float ix = Math.min(a.x() + a.width(), b.x() + b.width()) - Math.max(a.x(), b.x());
        float iy = Math.min(a.y() + a.height(), b.y() + b.height()) - Math.max(a.y(), b.y());
        return ix <= 0 || iy <= 0 ? 0 : ix * iy;
    }

    /** The {@code n × n} square tiles over the letterboxed image, each {@code 2/(n+1)} of its side. */
    static List<RotatedRect> tiles(int width, int height, int n) {
        RotatedRect frame = RotatedRect.letterbox(width, height);
        double side = frame.width();
        double tile = 2 * side / (n + 1);
        double x0 = frame.centerX() - side / 2;
        double y0 = frame.centerY() - side / 2;
        List<RotatedRect> out = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                out.add(new RotatedRect(x0 + side * (c + 1) / (n + 1), y0 + side * (r + 1) / (n + 1), tile, tile, 0));
            }
        }
        return out;
    }
}
