package dev.infero.core.ops.detection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;

/**
 * DetectionOutput-1 and DetectionOutput-8: SSD post-processing. Decodes the box predictions (input 0, [N,
 * priors·loc_classes·4]) against the prior boxes (input 2, [1 or N, 2 (1 when variance_encoded_in_target),
 * priors·(4 or 5)]), applies per-class greedy NMS to the class confidences (input 1, [N, priors·classes]) and keeps
 * the best {@code keep_top_k} detections per image. Optional inputs 3 and 4 (objectness [N, priors·2] and refined
 * box predictions, RefineDet's ARM) first refine the priors and zero the scores of priors whose objectness is below
 * {@code objectness_score}.
 *
 * <p>The output [1, 1, R, 7] lists rows [image_id, label, confidence, xmin, ymin, xmax, ymax], per image by label
 * (ascending) and, within a label, by decreasing confidence; the row after the last detection has image_id -1 and
 * the rest are zero. R is N·keep_top_k[0] when keep_top_k[0] &gt; 0, else N·top_k·classes when keep_top_k[0] is -1
 * and top_k &gt; 0, else N·priors·classes. {@code decrease_label_id} selects MXNet's variant: one best class per
 * prior (threshold inclusive), labels shifted down by one. DetectionOutput-8 has no {@code num_classes} attribute: the
 * class count is class_preds' second dimension divided by the number of priors.
 */
public final class DetectionOutput extends Op {
    /** How box predictions encode a box relative to its prior ({@code code_type}). */
    public enum CodeType {
        /** Offsets of the corners. */
        CORNER("caffe.PriorBoxParameter.CORNER"),
        /** Offsets of the centre in prior sizes and log-scales of width and height. */
        CENTER_SIZE("caffe.PriorBoxParameter.CENTER_SIZE");

        private final String irName;

        CodeType(String irName) {
            this.irName = irName;
        }

        public String irName() {
            return irName;
        }
    }

    /** The attributes common to both versions, in OpenVINO's names and order. */
    public record Attributes(int backgroundLabelId, int topK, boolean varianceEncodedInTarget, long[] keepTopK,
                             CodeType codeType, boolean shareLocation, float nmsThreshold, float confidenceThreshold,
                             boolean clipAfterNms, boolean clipBeforeNms, boolean decreaseLabelId, boolean normalized,
                             long inputHeight, long inputWidth, float objectnessScore) {
        public Attributes {
            if (keepTopK.length == 0) {
                throw new IllegalArgumentException("keep_top_k needs at least one value");
            }
        }

        /** Reads the attributes with the spec's defaults; {@code keep_top_k} and {@code nms_threshold} are required. */
        public static Attributes read(AttributeSource a) {
            long[] keepTopK = KEEP_TOP_K.read(a);
            if (keepTopK.length == 0) {
                throw a.error("attribute keep_top_k is empty");
            }
            String code = CODE_TYPE.read(a);
            CodeType codeType = Arrays.stream(CodeType.values()).filter(c -> c.irName().equals(code)).findFirst()
                    .orElseThrow(() -> a.error("attribute code_type=\"" + code + "\" is not "
                            + CodeType.CORNER.irName() + " or " + CodeType.CENTER_SIZE.irName()));
            return new Attributes(Math.toIntExact(BACKGROUND_LABEL_ID.read(a)), Math.toIntExact(TOP_K.read(a)),
                    VARIANCE_ENCODED.read(a), keepTopK, codeType, SHARE_LOCATION.read(a),
                    (float) (double) NMS_THRESHOLD.read(a), (float) (double) CONFIDENCE_THRESHOLD.read(a),
                    CLIP_AFTER_NMS.read(a), CLIP_BEFORE_NMS.read(a), DECREASE_LABEL_ID.read(a), NORMALIZED.read(a),
                    INPUT_HEIGHT.read(a), INPUT_WIDTH.read(a), (float) (double) OBJECTNESS_SCORE.read(a));
        }

        /** Elements per prior in the proposals: 4 coordinates, preceded by a batch index when not normalized. */
        int priorSize() {
            return normalized ? 4 : 5;
        }
    }

    private static final int NUM_CLASSES_FROM_SHAPES = -1;
    private static final Attribute<DetectionOutput, Long> NUM_CLASSES =
            Attribute.<DetectionOutput>integer("num_classes", d -> (long) d.numClasses);
    private static final Attribute<DetectionOutput, Long> BACKGROUND_LABEL_ID =
            Attribute.<DetectionOutput>integer("background_label_id",
                    d -> (long) d.attrs.backgroundLabelId()).orElse(0L);
    private static final Attribute<DetectionOutput, Long> TOP_K = Attribute.<DetectionOutput>integer("top_k",
            d -> (long) d.attrs.topK()).orElse(-1L);
    private static final Attribute<DetectionOutput, Boolean> VARIANCE_ENCODED =
            Attribute.<DetectionOutput>bool("variance_encoded_in_target",
                    d -> d.attrs.varianceEncodedInTarget()).orElse(false);
    private static final Attribute<DetectionOutput, long[]> KEEP_TOP_K =
            Attribute.<DetectionOutput>integers("keep_top_k", d -> d.attrs.keepTopK());
    private static final Attribute<DetectionOutput, String> CODE_TYPE = Attribute.<DetectionOutput>string("code_type",
            d -> d.attrs.codeType().irName()).orElse(CodeType.CORNER.irName());
    private static final Attribute<DetectionOutput, Boolean> SHARE_LOCATION =
            Attribute.<DetectionOutput>bool("share_location", d -> d.attrs.shareLocation()).orElse(true);
    private static final Attribute<DetectionOutput, Double> NMS_THRESHOLD =
            Attribute.<DetectionOutput>number("nms_threshold", d -> (double) d.attrs.nmsThreshold());
    private static final Attribute<DetectionOutput, Double> CONFIDENCE_THRESHOLD =
            Attribute.<DetectionOutput>number("confidence_threshold",
                    d -> (double) d.attrs.confidenceThreshold()).orElse(0.0);
    private static final Attribute<DetectionOutput, Boolean> CLIP_AFTER_NMS =
            Attribute.<DetectionOutput>bool("clip_after_nms", d -> d.attrs.clipAfterNms()).orElse(false);
    private static final Attribute<DetectionOutput, Boolean> CLIP_BEFORE_NMS =
            Attribute.<DetectionOutput>bool("clip_before_nms", d -> d.attrs.clipBeforeNms()).orElse(false);
    private static final Attribute<DetectionOutput, Boolean> DECREASE_LABEL_ID =
            Attribute.<DetectionOutput>bool("decrease_label_id", d -> d.attrs.decreaseLabelId()).orElse(false);
    private static final Attribute<DetectionOutput, Boolean> NORMALIZED = Attribute.<DetectionOutput>bool("normalized",
            d -> d.attrs.normalized()).orElse(false);
    private static final Attribute<DetectionOutput, Long> INPUT_HEIGHT =
            Attribute.<DetectionOutput>integer("input_height", d -> d.attrs.inputHeight()).orElse(1L);
    private static final Attribute<DetectionOutput, Long> INPUT_WIDTH =
            Attribute.<DetectionOutput>integer("input_width", d -> d.attrs.inputWidth()).orElse(1L);
    private static final Attribute<DetectionOutput, Double> OBJECTNESS_SCORE =
            Attribute.<DetectionOutput>number("objectness_score", d -> (double) d.attrs.objectnessScore()).orElse(0.0);
    public static final OpSpec<DetectionOutput> SPEC_1 = OpSpec.of(DetectionOutput.class, "DetectionOutput", "opset1",
            a -> v1(numClasses(a), Attributes.read(a)), NUM_CLASSES, BACKGROUND_LABEL_ID, TOP_K, VARIANCE_ENCODED,
            KEEP_TOP_K, CODE_TYPE, SHARE_LOCATION, NMS_THRESHOLD, CONFIDENCE_THRESHOLD, CLIP_AFTER_NMS,
            CLIP_BEFORE_NMS, DECREASE_LABEL_ID, NORMALIZED, INPUT_HEIGHT, INPUT_WIDTH, OBJECTNESS_SCORE);
    /** DetectionOutput-8: the class count follows from the input shapes. */
    public static final OpSpec<DetectionOutput> SPEC_8 = OpSpec.of(DetectionOutput.class, "DetectionOutput", "opset8",
            a -> v8(Attributes.read(a)), BACKGROUND_LABEL_ID, TOP_K, VARIANCE_ENCODED, KEEP_TOP_K, CODE_TYPE,
            SHARE_LOCATION, NMS_THRESHOLD, CONFIDENCE_THRESHOLD, CLIP_AFTER_NMS, CLIP_BEFORE_NMS, DECREASE_LABEL_ID,
            NORMALIZED, INPUT_HEIGHT, INPUT_WIDTH, OBJECTNESS_SCORE);

    private final int numClasses;
    private final Attributes attrs;

    private DetectionOutput(int numClasses, Attributes attrs) {
        this.numClasses = numClasses;
        this.attrs = attrs;
    }

    public static DetectionOutput v1(int numClasses, Attributes attrs) {
        if (numClasses <= 0) {
            throw new IllegalArgumentException("num_classes must be positive, got " + numClasses);
        }
        return new DetectionOutput(numClasses, attrs);
    }

    public static DetectionOutput v8(Attributes attrs) {
        return new DetectionOutput(NUM_CLASSES_FROM_SHAPES, attrs);
    }

    public Attributes attributes() {
        return attrs;
    }

    /** DetectionOutput-1 with its class count, DetectionOutput-8 without. */
    @Override
    public OpSpec<DetectionOutput> spec() {
        return numClasses == NUM_CLASSES_FROM_SHAPES ? SPEC_8 : SPEC_1;
    }

    /** DetectionOutput-1's {@code num_classes}: required and positive. */
    private static int numClasses(AttributeSource a) {
        long n = NUM_CLASSES.read(a);
        if (n <= 0 || n > Integer.MAX_VALUE) {
            throw a.error("attribute num_classes=\"" + n + "\" must be a positive integer");
        }
        return (int) n;
    }

    @Override
    public void infer(InferContext ctx) {
        int inputs = ctx.hasInput(3) || ctx.hasInput(4) ? 5 : 3;
        if (inputs == 5 && !(ctx.hasInput(3) && ctx.hasInput(4))) {
            throw ctx.error("the additional class and box predictions (inputs 3 and 4) come together");
        }
        String[] names = {"box_logits", "class_preds", "proposals", "aux_class_preds", "aux_box_preds"};
        int[] ranks = {2, 2, 3, 2, 2};
        for (int i = 0; i < inputs; i++) {
            if (!ctx.inputType(i).isFloating()) {
                throw ctx.error(names[i] + " (input " + i + ") must be floating-point, got " + ctx.inputType(i));
            }
            if (ctx.inputType(i) != ctx.inputType(0)) {
                throw ctx.error(names[i] + " is " + ctx.inputType(i) + " but box_logits is " + ctx.inputType(0));
            }
            PartialShape s = ctx.inputShape(i);
            if (s.hasRank() && s.rank() != ranks[i]) {
                throw ctx.error(names[i] + " (input " + i + ") must have rank " + ranks[i] + ", got shape " + s);
            }
        }
        Geometry g = geometry(ctx, inputs == 5);
        long rows;
        long keep = attrs.keepTopK()[0];
        if (keep > 0) {
            rows = g.images < 0 ? -1 : g.images * keep;
        } else if (keep == -1 && attrs.topK() > 0) {
            rows = g.images < 0 || g.classes < 0 ? -1 : g.images * attrs.topK() * g.classes;
        } else {
            rows = g.images < 0 || g.classes < 0 || g.priors < 0 ? -1 : g.images * g.priors * g.classes;
        }
        if (rows > Integer.MAX_VALUE / 7) {
            throw ctx.error("the output would have " + rows + " rows");
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(1, 1, (int) rows, 7));
    }

    /** Images, priors and classes as far as the shapes tell (-1 where unknown). */
    private record Geometry(long images, long priors, long classes) {
    }

    private Geometry geometry(InferContext ctx, boolean withAux) {
        long boxDim = dim(ctx, 0, 1);
        long classDim = dim(ctx, 1, 1);
        long proposalDim = dim(ctx, 2, 2);
        int priorSize = attrs.priorSize();
        long priors = -1;
        if (proposalDim >= 0) {
            if (proposalDim % priorSize != 0 || proposalDim == 0) {
                throw ctx.error("proposals' third dimension " + proposalDim + " is not a positive multiple of "
                        + priorSize + " (the prior size when normalized=" + attrs.normalized() + ")");
            }
            priors = proposalDim / priorSize;
        } else if (withAux && dim(ctx, 3, 1) >= 0) {
            priors = dim(ctx, 3, 1) / 2;
        }
        long classes = numClasses;
        if (numClasses == NUM_CLASSES_FROM_SHAPES) {
            classes = priors > 0 && classDim >= 0 ? classDim / priors : -1;
        }
        long locClasses = attrs.shareLocation() ? 1 : classes;
        if (priors < 0 && boxDim >= 0 && locClasses > 0) {
            priors = boxDim / (locClasses * 4);
        }
        if (priors < 0 && classDim >= 0 && classes > 0) {
            priors = classDim / classes;
        }
        if (priors >= 0 && classes >= 0) {
            check(ctx, boxDim, priors * locClasses * 4, "box_logits' second dimension", "priors · loc classes · 4");
            check(ctx, classDim, priors * classes, "class_preds' second dimension", "priors · classes");
            if (withAux) {
                check(ctx, dim(ctx, 3, 1), priors * 2, "aux_class_preds' second dimension", "priors · 2");
                check(ctx, dim(ctx, 4, 1), priors * locClasses * 4, "aux_box_preds' second dimension",
                        "priors · loc classes · 4");
            }
        }
        long images = dim(ctx, 0, 0) >= 0 ? dim(ctx, 0, 0) : dim(ctx, 1, 0);
        check(ctx, dim(ctx, 1, 0), images, "class_preds' batch", "box_logits' batch");
        long priorBatch = dim(ctx, 2, 0);
        if (priorBatch >= 0 && images >= 0 && priorBatch != 1 && priorBatch != images) {
            throw ctx.error("proposals' first dimension must be 1 or the batch size " + images + ", got " + priorBatch);
        }
        check(ctx, dim(ctx, 2, 1), attrs.varianceEncodedInTarget() ? 1 : 2, "proposals' second dimension",
                "1 with variance_encoded_in_target, else 2");
        return new Geometry(images, priors, classes);
    }

    private static long dim(InferContext ctx, int input, int axis) {
        PartialShape s = ctx.inputShape(input);
        return s.hasRank() && axis < s.rank() ? s.dim(axis) : -1;
    }

    private static void check(InferContext ctx, long actual, long expected, String what, String rule) {
        if (actual >= 0 && expected >= 0 && actual != expected) {
            throw ctx.error(what + " is " + actual + ", expected " + expected + " (" + rule + ")");
        }
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor boxes = inputs[0];
        Tensor proposals = inputs[2];
        int priors = proposals.dim(2) / attrs.priorSize();
        int classes = numClasses == NUM_CLASSES_FROM_SHAPES ? inputs[1].dim(1) / priors : numClasses;
        boolean withAux = inputs.length == 5 && inputs[3] != null && inputs[4] != null;
        DetectionOutputKernel kernel = new DetectionOutputKernel(attrs, boxes.dim(0), priors, classes,
                proposals.dim(0));
        Tensor out = outputs[0];
        float[] result = out.type() == ElementType.F32 ? out.floats() : new float[out.size()];
        kernel.run(floats(boxes), floats(inputs[1]), floats(proposals), withAux ? floats(inputs[3]) : null,
                withAux ? floats(inputs[4]) : null, result, out.dim(2));
        if (out.type() != ElementType.F32) {
            for (int i = 0; i < out.size(); i++) {
                out.setDouble(i, result[i]);
            }
        }
    }

    private static float[] floats(Tensor t) {
        return t.type() == ElementType.F32 ? t.floats() : t.toFloatArray();
    }
}
