package dev.infero.core.ops.selection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * NonMaxSuppression-9: per batch and class, greedily selects boxes in descending score order (equal scores: lower box
 * index first), dropping every box whose IoU with an already selected one exceeds {@code iou_threshold} and every box
 * whose score is not above {@code score_threshold}; at most {@code max_output_boxes_per_class} per class.
 *
 * <p>Inputs: boxes {@code [B, N, 4]} ({@code box_encoding="corner"}: two opposite corners {@code [y1, x1, y2, x2]} in
 * any order; {@code "center"}: {@code [x_center, y_center, width, height]}), scores {@code [B, C, N]}, and the
 * optional scalars max_output_boxes_per_class (default 0), iou_threshold (0), score_threshold (none) and
 * soft_nms_sigma (0; only hard NMS is implemented, a non-zero sigma is rejected).
 *
 * <p>Outputs: selected_indices {@code [M, 3]} of {@code (batch, class, box)}, selected_scores {@code [M, 3]} of
 * {@code (batch, class, score)}, valid_outputs {@code [1]} = M. Infero sizes the outputs to exactly M selected boxes
 * (OpenVINO pads them to an upper bound with -1): M depends on the data, so it is a dynamic dimension until every
 * input is known. With {@code sort_result_descending=false} results are ordered by batch, class, then score.
 */
public final class NonMaxSuppression extends Op {
    private static final Attribute<NonMaxSuppression, String> BOX_ENCODING = Attribute.string("box_encoding",
            (NonMaxSuppression op) -> op.centerBoxes ? "center" : "corner").orElse("corner");
    private static final Attribute<NonMaxSuppression, Boolean> SORT_RESULT_DESCENDING = Attribute.bool(
            "sort_result_descending", (NonMaxSuppression op) -> op.sortResultDescending).orElse(true);
    private static final Attribute<NonMaxSuppression, ElementType> OUTPUT_TYPE = Attribute.elementType("output_type",
            (NonMaxSuppression op) -> op.outputType).orElse(ElementType.I64);
    public static final OpSpec<NonMaxSuppression> SPEC = OpSpec.of(NonMaxSuppression.class, "NonMaxSuppression",
            "opset9", a -> new NonMaxSuppression(BOX_ENCODING.read(a).equals("center"), SORT_RESULT_DESCENDING.read(a),
                    OUTPUT_TYPE.read(a)), BOX_ENCODING, SORT_RESULT_DESCENDING, OUTPUT_TYPE);

    private final boolean centerBoxes;
    private final boolean sortResultDescending;
    private final ElementType outputType;

    public NonMaxSuppression(boolean centerBoxes, boolean sortResultDescending, ElementType outputType) {
        this.centerBoxes = centerBoxes;
        this.sortResultDescending = sortResultDescending;
        this.outputType = outputType;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape boxes = ctx.inputShape(0);
        PartialShape scores = ctx.inputShape(1);
        if (boxes.hasRank() && (boxes.rank() != 3 || boxes.dim(2) != 4 && !boxes.isDynamic(2))) {
            throw ctx.error("boxes must have shape [batch, boxes, 4], got " + boxes);
        }
        if (scores.hasRank() && scores.rank() != 3) {
            throw ctx.error("scores must have shape [batch, classes, boxes], got " + scores);
        }
        if (boxes.isStatic() && scores.isStatic()
                && (boxes.dim(0) != scores.dim(0) || boxes.dim(1) != scores.dim(2))) {
            throw ctx.error("boxes " + boxes + " and scores " + scores + " disagree on batch or box count");
        }
        int selected = PartialShape.DYNAMIC;
        if (allInputsKnown(ctx)) {
            selected = select(ctx.inputValue(0), ctx.inputValue(1), scalar(ctx, 2), scalar(ctx, 3), scalar(ctx, 4),
                    ctx.hasInput(4)).size();
            if (ctx.hasInput(5) && ctx.inputValue(5).getDouble(0) != 0) {
                throw ctx.error("soft NMS (soft_nms_sigma != 0) is not supported");
            }
        }
        ctx.setOutput(0, outputType, PartialShape.of(selected, 3));
        ctx.setOutput(1, ElementType.F32, PartialShape.of(selected, 3));
        ctx.setOutput(2, outputType, PartialShape.of(1));
    }

    private static boolean allInputsKnown(InferContext ctx) {
        for (int i = 0; i < ctx.inputCount(); i++) {
            if (ctx.hasInput(i) && ctx.inputValue(i) == null) {
                return false;
            }
        }
        return true;
    }

    private static double scalar(InferContext ctx, int i) {
        return ctx.hasInput(i) ? ctx.inputValue(i).getDouble(0) : 0;
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        double maxPerClass = input(inputs, 2);
        List<long[]> selected = select(inputs[0], inputs[1], maxPerClass, input(inputs, 3), input(inputs, 4),
                inputs.length > 4 && inputs[4] != null);
        for (int i = 0; i < selected.size(); i++) {
            long[] s = selected.get(i);
            outputs[0].setLong(3 * i, s[0]);
            outputs[0].setLong(3 * i + 1, s[1]);
            outputs[0].setLong(3 * i + 2, s[2]);
            outputs[1].setDouble(3 * i, s[0]);
            outputs[1].setDouble(3 * i + 1, s[1]);
            outputs[1].setDouble(3 * i + 2, inputs[1].getDouble(scoreIndex(inputs[1], s)));
        }
        outputs[2].setLong(0, selected.size());
    }

    private static double input(Tensor[] inputs, int i) {
        return i < inputs.length && inputs[i] != null ? inputs[i].getDouble(0) : 0;
    }

    private static int scoreIndex(Tensor scores, long[] s) {
        return (int) ((s[0] * scores.dim(1) + s[1]) * scores.dim(2) + s[2]);
    }

    /** The selected {@code (batch, class, box)} triples in output order. */
    private List<long[]> select(Tensor boxes, Tensor scores, double maxPerClass, double iouThreshold,
                                double scoreThreshold, boolean hasScoreThreshold) {
        int batches = scores.dim(0);
        int classes = scores.dim(1);
        int n = scores.dim(2);
        long limit = (long) Math.min(maxPerClass, n);
        List<long[]> result = new ArrayList<>();
        List<Double> resultScores = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            double[][] corners = corners(boxes, b, n);
            for (int c = 0; c < classes; c++) {
                int base = (b * classes + c) * n;
                double[] score = new double[n];
                for (int i = 0; i < n; i++) {
                    score[i] = scores.getDouble(base + i);
                }
                Integer[] order = new Integer[n];
                int candidates = 0;
                for (int i = 0; i < n; i++) {
                    if (!hasScoreThreshold || score[i] > scoreThreshold) {
                        order[candidates++] = i;
                    }
                }
                Arrays.sort(order, 0, candidates, (p, q) -> score[p] != score[q] ? Double.compare(score[q], score[p])
                        : Integer.compare(p, q));
                List<Integer> kept = new ArrayList<>();
                for (int j = 0; j < candidates && kept.size() < limit; j++) {
                    int box = order[j];
                    boolean suppressed = false;
                    for (int k : kept) {
                        if (iou(corners[box], corners[k]) > iouThreshold) {
                            suppressed = true;
                            break;
                        }
                    }
                    if (!suppressed) {
                        kept.add(box);
                        result.add(new long[] {b, c, box});
                        resultScores.add(score[box]);
                    }
                }
            }
        }
        if (sortResultDescending) {
            Integer[] idx = new Integer[result.size()];
            Arrays.setAll(idx, i -> i);
            Arrays.sort(idx, (p, q) -> Double.compare(resultScores.get(q), resultScores.get(p)));
            List<long[]> sorted = new ArrayList<>();
            for (int i : idx) {
                sorted.add(result.get(i));
            }
            return sorted;
        }
        return result;
    }

    /** Boxes of batch {@code b} as {@code [ymin, xmin, ymax, xmax]} (coordinate order does not matter for IoU). */
    private double[][] corners(Tensor boxes, int b, int n) {
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            int o = (b * n + i) * 4;
            double a0 = boxes.getDouble(o);
            double a1 = boxes.getDouble(o + 1);
            double a2 = boxes.getDouble(o + 2);
            double a3 = boxes.getDouble(o + 3);
            if (centerBoxes) {
                out[i] = new double[] {a1 - a3 / 2, a0 - a2 / 2, a1 + a3 / 2, a0 + a2 / 2};
            } else {
                out[i] = new double[] {Math.min(a0, a2), Math.min(a1, a3), Math.max(a0, a2), Math.max(a1, a3)};
            }
        }
        return out;
    }

    private static double iou(double[] a, double[] b) {
        double areaA = (a[2] - a[0]) * (a[3] - a[1]);
        double areaB = (b[2] - b[0]) * (b[3] - b[1]);
        if (areaA <= 0 || areaB <= 0) {
            return 0;
        }
        double h = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
        double w = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
        double inter = h * w;
        return inter / (areaA + areaB - inter);
    }
}
