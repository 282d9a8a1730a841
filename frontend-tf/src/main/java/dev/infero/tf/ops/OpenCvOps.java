package dev.infero.tf.ops;

import dev.infero.core.graph.Value;
import dev.infero.core.ops.detection.DetectionOutput;
import dev.infero.core.ops.detection.PriorBox;
import dev.infero.core.ops.movement.Gather;
import dev.infero.core.ops.movement.ShapeOf;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.tf.TfNode;
import dev.infero.tf.TfTranslator;
import dev.infero.tf.TfValue;
import java.util.List;
import java.util.Map;

/**
 * The SSD ops OpenCV adds to TensorFlow text graphs ({@code opencv_face_detector.pbtxt} and the graphs of OpenCV's
 * {@code tf_text_graph_ssd.py}): {@code PriorBox} and {@code DetectionOutput} with Caffe's parameters, mapped onto
 * Infero's PriorBox-1 and DetectionOutput-1.
 */
public final class OpenCvOps {
    private OpenCvOps() {
    }

    public static void register(Map<String, TfTranslator> r) {
        r.put("PriorBox", OpenCvOps::priorBox);
        r.put("DetectionOutput", OpenCvOps::detectionOutput);
    }

    /** [H, W] of an image tensor (NHWC, or NHWC held as NCHW). */
    private static Value spatialSize(TfNode n, TfValue v) {
        Value shape = n.add(new ShapeOf(ElementType.I64), v.value());
        long[] hw = v.nchw() ? new long[] {2, 3} : new long[] {1, 2};
        return n.add(new Gather(0), shape, n.constant(Tensor.vector(hw)), n.constant(Tensor.scalar(0L)));
    }

    /**
     * PriorBox(feature map, image) with min_size, max_size, aspect_ratio, flip, clip, variance, offset and step as
     * Caffe defines them; the output is [1, 2, 4·priors] (boxes, then variances) as in Caffe and OpenCV.
     */
    private static List<TfValue> priorBox(TfNode n) {
        if (n.has("width") || n.has("height")) {
            throw n.error("explicit box width/height (PriorBoxClustered) is not supported");
        }
        float[] minSize = n.attrNumbers("min_size", new float[0]);
        if (minSize.length == 0) {
            throw n.error("min_size is required");
        }
        float step = n.attrNumbers("step", new float[] {0})[0];
        if (n.has("step_h") || n.has("step_w")) {
            float h = n.attrNumbers("step_h", new float[] {0})[0];
            float w = n.attrNumbers("step_w", new float[] {0})[0];
            if (h != w) {
                throw n.error("different step_h and step_w are not supported");
            }
            step = h;
        }
        PriorBox.Attributes a = new PriorBox.Attributes(minSize, n.attrNumbers("max_size", new float[0]),
                n.attrNumbers("aspect_ratio", new float[0]), new float[0], new float[0], new float[0],
                n.attrBool("clip", false), n.attrBool("flip", true), step, n.attrNumbers("offset", new float[] {0.5f})[0],
                n.attrNumbers("variance", new float[] {0.1f}), true);
        Value priors = n.add(PriorBox.v1(a), spatialSize(n, n.in(0)), spatialSize(n, n.in(1)));
        Value batched = n.add(new Unsqueeze(), priors, n.constant(Tensor.vector(0)));
        return List.of(new TfValue(batched, false, true));
    }

    private static List<TfValue> detectionOutput(TfNode n) {
        int numClasses = (int) n.attrInt("num_classes", 0);
        if (numClasses <= 0) {
            throw n.error("num_classes must be positive");
        }
        String code = n.attrString("code_type", "CENTER_SIZE");
        DetectionOutput.CodeType codeType = switch (code.replaceFirst("^.*\\.", "")) {
            case "CENTER_SIZE" -> DetectionOutput.CodeType.CENTER_SIZE;
            case "CORNER" -> DetectionOutput.CodeType.CORNER;
            default -> throw n.error("code_type '" + code + "' is not CENTER_SIZE or CORNER");
        };
        DetectionOutput.Attributes a = new DetectionOutput.Attributes((int) n.attrInt("background_label_id", 0),
                (int) n.attrInt("top_k", -1), n.attrBool("variance_encoded_in_target", false),
                new long[] {n.attrInt("keep_top_k", -1)}, codeType, n.attrBool("share_location", true),
                n.attrFloat("nms_threshold", 0.45f), n.attrFloat("confidence_threshold", 0),
                false, n.attrBool("clip", false), false, true, 1, 1, 0);
        Value y = n.add(DetectionOutput.v1(numClasses, a), n.plain(0), n.plain(1), n.plain(2));
        return List.of(TfValue.plain(y));
    }
}
