package dev.infero.vision;

import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.util.ArrayList;
import java.util.List;

/**
 * BlazeFace's pre- and post-processing, as MediaPipe's face detection graph does it: the region (usually the whole
 * image letterboxed, see {@link ImageRegion#whole}) sampled into the square input; each anchor's 16 regression values decoded to a box and six keypoints
 * ({@code TensorsToDetectionsCalculator}: offsets divided by the input size — {@code x_scale = y_scale = w_scale =
 * h_scale = 128} for the 128×128 front model — times the anchor size, plus the anchor centre); scores clipped to
 * ±100 and passed through a sigmoid; detections under {@code minScore} dropped; the rest suppressed (weighted by
 * default) and mapped back to image pixels.
 */
public final class BlazeFaceTranslator implements Translator<ImageRegion, List<Detection>> {
    /** Decoding settings. */
    public record Options(float minScore, float scoreClip, NonMaxSuppression.Mode nms, float nmsThreshold,
                          int maxDetections) {
        /** MediaPipe's short-range detector: score ≥ 0.5, clip 100, weighted NMS at IoU 0.3, all detections. */
        public static final Options DEFAULT = new Options(0.5f, 100f, NonMaxSuppression.Mode.WEIGHTED, 0.3f, 0);
    }

    private final ModelInput input;
    private final Anchors anchors;
    private final Options options;
    private final int boxesOutput;
    private final int scoresOutput;
    private final int values;

    /**
     * @param input   the model's image input
     * @param outputs the model's outputs: one {@code [1,N,16+]} (box, keypoints) and one {@code [1,N,1]} (scores)
     *                for the {@code N} anchors, in either order
     * @param anchors the SSD anchors
     * @param options decoding settings
     */
    public BlazeFaceTranslator(ModelInput input, List<PortInfo> outputs, Anchors anchors, Options options) {
        this.input = input;
        this.anchors = anchors;
        this.options = options;
        int boxes = -1;
        int scores = -1;
        int width = 0;
        for (int i = 0; i < outputs.size(); i++) {
            var s = outputs.get(i).shape();
            if (!s.hasRank() || !s.isStatic() || s.rank() < 2) {
                continue;
            }
            int last = s.dim(s.rank() - 1);
            int n = s.rank() == 3 ? s.dim(1) : s.dim(0);
            if (n != anchors.count()) {
                continue;
            }
            if (last == 1 && scores < 0) {
                scores = i;
            } else if (last >= 4 && last % 2 == 0 && boxes < 0) {
                boxes = i;
                width = last;
            }
        }
        if (boxes < 0 || scores < 0) {
            throw new InferoException("a BlazeFace detector needs an output [1," + anchors.count() + ",16] (boxes and "
                    + "keypoints) and one [1," + anchors.count() + ",1] (scores) for its " + anchors.count()
                    + " anchors; the model has " + outputs);
        }
        this.boxesOutput = boxes;
        this.scoresOutput = scores;
        this.values = width;
    }

    public ModelInput input() {
        return input;
    }

    public Options options() {
        return options;
    }

    @Override
    public List<Tensor> processInput(ImageRegion region) {
        return List.of(input.sample(region.image(), region.roi()));
    }

    @Override
    public List<Detection> processOutput(ImageRegion region, List<Tensor> outputs) {
        float[] raw = floats(outputs.get(boxesOutput));
        float[] logits = floats(outputs.get(scoresOutput));
        List<Detection> candidates = decode(raw, logits, region.roi());
        return NonMaxSuppression.apply(candidates, options.nms(), options.nmsThreshold(), options.maxDetections());
    }

    /** Every anchor's detection scoring at least {@code minScore}, in image pixels of {@code frame}. */
    List<Detection> decode(float[] raw, float[] logits, RotatedRect frame) {
        return decode(anchors, raw, values, logits, Scales.of(input.width(), input.height()), options.minScore(),
                options.scoreClip(), frame);
    }

    /**
     * MediaPipe's {@code TensorsToDetectionsCalculator} scales: box centre offsets are divided by {@code x} and
     * {@code y}, box sizes by {@code w} and {@code h}, keypoint offsets by {@code x} and {@code y} (then multiplied
     * by the anchor size). Usually the model input's width and height.
     */
    public record Scales(float x, float y, float w, float h) {
        public Scales {
            if (!(x > 0 && y > 0 && w > 0 && h > 0)) {
                throw new InferoException("BlazeFace decoding scales must be positive; got x_scale " + x
                        + ", y_scale " + y + ", w_scale " + w + ", h_scale " + h);
            }
        }

        /** {@code x = w = width}, {@code y = h = height} (MediaPipe's setting for BlazeFace). */
        public static Scales of(float width, float height) {
            return new Scales(width, height, width, height);
        }
    }

    /**
     * Decodes raw BlazeFace output tensors (before suppression): one {@code [1,N,4+2K]} (box, keypoints) and one
     * {@code [1,N,1]} (score logits) for the {@code N} anchors, in either order, found by their shapes.
     *
     * @see #decode(Anchors, float[], int, float[], Scales, float, float, RotatedRect)
     */
    public static List<Detection> decode(Anchors anchors, List<Tensor> outputs, Scales scales, float minScore,
                                         float scoreClip, RotatedRect frame) {
        Tensor boxes = null;
        Tensor scores = null;
        int n = anchors.count();
        for (Tensor t : outputs) {
            int last = t.rank() == 0 ? 1 : t.dim(t.rank() - 1);
            if (t.size() == n && scores == null) {
                scores = t;
            } else if (t.size() == (long) n * last && last >= 4 && last % 2 == 0 && boxes == null) {
                boxes = t;
            }
        }
        if (boxes == null || scores == null) {
            throw new InferoException("a BlazeFace detector needs an output [1," + n + ",16] (boxes and keypoints)"
                    + " and one [1," + n + ",1] (scores) for its " + n + " anchors; got outputs "
                    + outputs.stream().map(t -> java.util.Arrays.toString(t.shape())).toList());
        }
        return decode(anchors, floats(boxes), boxes.dim(boxes.rank() - 1), floats(scores), scales, minScore,
                scoreClip, frame);
    }

    /**
     * Every anchor's detection (before suppression) whose score — the logit clipped to {@code ±scoreClip}, through
     * a sigmoid — is at least {@code minScore}, mapped from normalized input coordinates to image pixels by the
     * axis-aligned {@code frame}.
     *
     * @param raw    {@code N × values} regressors (at least): box centre and size offsets, then keypoint offsets
     * @param values regressors per anchor ({@code 4 + 2K})
     * @param logits {@code N} score logits (at least)
     */
    public static List<Detection> decode(Anchors anchors, float[] raw, int values, float[] logits, Scales scales,
                                         float minScore, float scoreClip, RotatedRect frame) {
        if (frame.rotation() != 0) {
            throw new InferoException("BlazeFace decodes axis-aligned regions only; got rotation " + frame.rotation());
        }
        // The arrays may be a tensor's backing storage, longer than its data: only the first values count.
        if (values < 4 || values % 2 != 0 || raw.length < (long) anchors.count() * values
                || logits.length < anchors.count()) {
            throw new InferoException("BlazeFace outputs do not match the " + anchors.count() + " anchors: "
                    + raw.length + " regressors (" + values + " per anchor) and " + logits.length + " scores");
        }
        List<Detection> out = new ArrayList<>();
        int keypoints = (values - 4) / 2;
        for (int a = 0; a < anchors.count(); a++) {
            float logit = Math.clamp(logits[a], -scoreClip, scoreClip);
            float score = (float) (1 / (1 + Math.exp(-logit)));
            if (score < minScore) {
                continue;
            }
            int o = a * values;
            float aw = anchors.width(a);
            float ah = anchors.height(a);
            float cx = raw[o] / scales.x() * aw + anchors.xCenter(a);
            float cy = raw[o + 1] / scales.y() * ah + anchors.yCenter(a);
            float w = raw[o + 2] / scales.w() * aw;
            float h = raw[o + 3] / scales.h() * ah;
            float[] kp = new float[2 * keypoints];
            for (int k = 0; k < keypoints; k++) {
                float kx = raw[o + 4 + 2 * k] / scales.x() * aw + anchors.xCenter(a);
                float ky = raw[o + 5 + 2 * k] / scales.y() * ah + anchors.yCenter(a);
                kp[2 * k] = (float) frame.imageX(kx, ky);
                kp[2 * k + 1] = (float) frame.imageY(kx, ky);
            }
            float x0 = (float) frame.imageX(cx - w / 2, cy - h / 2);
            float y0 = (float) frame.imageY(cx - w / 2, cy - h / 2);
            out.add(new Detection(score, x0, y0, (float) (w * frame.width()), (float) (h * frame.height()), kp));
        }
        return out;
    }

    private static float[] floats(Tensor t) {
        return t.type() == ElementType.F32 ? t.floats() : t.toFloatArray();
    }
}
