package dev.infero.core.ops.detection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.util.List;

/**
 * ROIAlign-9: for each box of {@code rois [R, 4]} (x1, y1, x2, y2 in input pixels before {@code spatial_scale}) on
 * the image {@code batch_indices[r]} of {@code data [N, C, H, W]}, a {@code pooled_h × pooled_w} grid of bins, each
 * the average ({@code avg}) or maximum ({@code max}) of {@code sampling_ratio²} bilinear samples (adaptive,
 * {@code ceil(bin size)} per axis, when 0). Output {@code [R, C, pooled_h, pooled_w]}.
 *
 * <p>{@code aligned_mode}: {@code asymmetric} scales the box corners as they are and makes a box at least 1×1
 * (ONNX RoiAlign's {@code output_half_pixel}); {@code half_pixel} shifts them by half a pixel and keeps the box as
 * it is (ONNX's {@code half_pixel}, the default since opset 16). Samples more than a pixel outside the image are
 * 0; others clamp to the edge. In {@code max} mode each sample is the largest of its four weighted neighbours, as
 * ONNX Runtime and OpenVINO compute it.
 */
public final class ROIAlign extends Op {
    /**
     * The box-corner conventions, named as OpenVINO's {@code aligned_mode} (its {@code half_pixel_for_nn}, which no
     * ONNX mode maps to, is not supported: reading it names the attribute).
     */
    public enum AlignedMode { ASYMMETRIC, HALF_PIXEL }

    private static final Attribute<ROIAlign, Long> POOLED_H = Attribute.<ROIAlign>integer("pooled_h",
            r -> (long) r.pooledH);
    private static final Attribute<ROIAlign, Long> POOLED_W = Attribute.<ROIAlign>integer("pooled_w",
            r -> (long) r.pooledW);
    private static final Attribute<ROIAlign, Long> SAMPLING_RATIO = Attribute.<ROIAlign>integer("sampling_ratio",
            r -> (long) r.samplingRatio);
    private static final Attribute<ROIAlign, Double> SPATIAL_SCALE = Attribute.<ROIAlign>number("spatial_scale",
            r -> (double) r.spatialScale);
    private static final Attribute<ROIAlign, String> MODE = Attribute.<ROIAlign>string("mode",
            r -> r.max ? "max" : "avg");
    private static final Attribute<ROIAlign, AlignedMode> ALIGNED_MODE = Attribute.<ROIAlign, AlignedMode>enumValue(
            "aligned_mode", AlignedMode.class, r -> r.alignedMode).orElse(AlignedMode.ASYMMETRIC);
    public static final OpSpec<ROIAlign> SPEC = OpSpec.of(ROIAlign.class, "ROIAlign", "opset9",
            a -> new ROIAlign(Math.toIntExact(POOLED_H.read(a)), Math.toIntExact(POOLED_W.read(a)),
                    Math.toIntExact(SAMPLING_RATIO.read(a)), (float) (double) SPATIAL_SCALE.read(a), MODE.read(a),
                    ALIGNED_MODE.read(a)), POOLED_H, POOLED_W, SAMPLING_RATIO, SPATIAL_SCALE, MODE, ALIGNED_MODE);

    private final int pooledH;
    private final int pooledW;
    private final int samplingRatio;
    private final float spatialScale;
    private final boolean max;
    private final AlignedMode alignedMode;

    public ROIAlign(int pooledH, int pooledW, int samplingRatio, float spatialScale, String mode,
                    AlignedMode alignedMode) {
        if (pooledH < 1 || pooledW < 1 || samplingRatio < 0 || !(spatialScale > 0)) {
            throw new IllegalArgumentException("ROIAlign needs pooled_h, pooled_w >= 1, sampling_ratio >= 0 and "
                    + "spatial_scale > 0, got " + pooledH + ", " + pooledW + ", " + samplingRatio + ", " + spatialScale);
        }
        if (!List.of("avg", "max").contains(mode)) {
            throw new IllegalArgumentException("ROIAlign mode '" + mode + "' is not avg or max");
        }
        this.pooledH = pooledH;
        this.pooledW = pooledW;
        this.samplingRatio = samplingRatio;
        this.spatialScale = spatialScale;
        this.max = mode.equals("max");
        this.alignedMode = alignedMode;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape data = ctx.inputShape(0);
        PartialShape rois = ctx.inputShape(1);
        PartialShape indices = ctx.inputShape(2);
        if (!ctx.inputType(0).isFloating() || ctx.inputType(1) != ctx.inputType(0)
                || !ctx.inputType(2).isInteger()) {
            throw ctx.error("data and rois must be of one floating type and batch_indices integer, got "
                    + ctx.inputType(0) + ", " + ctx.inputType(1) + " and " + ctx.inputType(2));
        }
        if ((data.hasRank() && data.rank() != 4) || (rois.hasRank() && rois.rank() != 2)
                || (indices.hasRank() && indices.rank() != 1)) {
            throw ctx.error("data must be [N, C, H, W], rois [R, 4] and batch_indices [R], got " + data + ", " + rois
                    + " and " + indices);
        }
        if (rois.hasRank() && !rois.isDynamic(1) && rois.dim(1) != 4) {
            throw ctx.error("rois must be [R, 4], got " + rois);
        }
        int r = rois.hasRank() && !rois.isDynamic(0) ? rois.dim(0)
                : indices.hasRank() ? indices.dim(0) : PartialShape.DYNAMIC;
        int c = data.hasRank() ? data.dim(1) : PartialShape.DYNAMIC;
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(r, c, pooledH, pooledW));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        Tensor rois = inputs[1];
        Tensor indices = inputs[2];
        Tensor out = outputs[0];
        int batch = data.dim(0);
        int channels = data.dim(1);
        int height = data.dim(2);
        int width = data.dim(3);
        int plane = height * width;
        float[] x = data.toFloatArray();
        int count = rois.dim(0);
        double offset = alignedMode == AlignedMode.ASYMMETRIC ? 0 : 0.5;
        for (int r = 0; r < count; r++) {
            long b = indices.getLong(r);
            if (b < 0 || b >= batch) {
                throw new dev.infero.core.InferoException("ROIAlign: batch index " + b + " of box " + r
                        + " is outside the " + batch + " images");
            }
            double startW = rois.getDouble(r * 4) * spatialScale - offset;
            double startH = rois.getDouble(r * 4 + 1) * spatialScale - offset;
            double roiW = rois.getDouble(r * 4 + 2) * spatialScale - offset - startW;
            double roiH = rois.getDouble(r * 4 + 3) * spatialScale - offset - startH;
            if (alignedMode == AlignedMode.ASYMMETRIC) {
                roiW = Math.max(roiW, 1);
                roiH = Math.max(roiH, 1);
            }
            double binH = roiH / pooledH;
            double binW = roiW / pooledW;
            int gridH = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(roiH / pooledH);
            int gridW = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(roiW / pooledW);
            int samples = Math.max(gridH * gridW, 1);
            // Per bin and sample: four positions and weights, shared by every channel.
            int[] pos = new int[pooledH * pooledW * gridH * gridW * 4];
            double[] weight = new double[pos.length];
            int s = 0;
            for (int ph = 0; ph < pooledH; ph++) {
                for (int pw = 0; pw < pooledW; pw++) {
                    for (int iy = 0; iy < gridH; iy++) {
                        double y = startH + ph * binH + (iy + 0.5) * binH / gridH;
                        for (int ix = 0; ix < gridW; ix++) {
                            double xx = startW + pw * binW + (ix + 0.5) * binW / gridW;
                            bilinear(y, xx, height, width, pos, weight, s);
                            s += 4;
                        }
                    }
                }
            }
            int perBin = gridH * gridW * 4;
            long base = (long) b * channels * plane;
            for (int c = 0; c < channels; c++) {
                int in = (int) (base + (long) c * plane);
                for (int bin = 0; bin < pooledH * pooledW; bin++) {
                    double value = 0;
                    for (int k = bin * perBin; k < (bin + 1) * perBin; k += 4) {
                        if (max) {
                            double v = Math.max(Math.max(weight[k] * x[in + pos[k]], weight[k + 1] * x[in + pos[k + 1]]),
                                    Math.max(weight[k + 2] * x[in + pos[k + 2]], weight[k + 3] * x[in + pos[k + 3]]));
                            value = k == bin * perBin ? v : Math.max(value, v);
                        } else {
                            value += weight[k] * x[in + pos[k]] + weight[k + 1] * x[in + pos[k + 1]]
                                    + weight[k + 2] * x[in + pos[k + 2]] + weight[k + 3] * x[in + pos[k + 3]];
                        }
                    }
                    out.setDouble(((r * channels) + c) * pooledH * pooledW + bin, max ? value : value / samples);
                }
            }
        }
    }

    /** The four neighbours of (y, x) and their weights; all weights 0 more than a pixel outside the image. */
    private static void bilinear(double y, double x, int height, int width, int[] pos, double[] weight, int at) {
        if (y < -1 || y > height || x < -1 || x > width) {
            return;
        }
        y = Math.max(y, 0);
        x = Math.max(x, 0);
        int yLow = (int) y;
        int xLow = (int) x;
        int yHigh;
        int xHigh;
        if (yLow >= height - 1) {
            yHigh = yLow = height - 1;
            y = yLow;
        } else {
            yHigh = yLow + 1;
        }
        if (xLow >= width - 1) {
            xHigh = xLow = width - 1;
            x = xLow;
        } else {
            xHigh = xLow + 1;
        }
        double ly = y - yLow;
        double lx = x - xLow;
        double hy = 1 - ly;
        double hx = 1 - lx;
        pos[at] = yLow * width + xLow;
        pos[at + 1] = yLow * width + xHigh;
        pos[at + 2] = yHigh * width + xLow;
        pos[at + 3] = yHigh * width + xHigh;
        weight[at] = hy * hx;
        weight[at + 1] = hy * lx;
        weight[at + 2] = ly * hx;
        weight[at + 3] = ly * lx;
    }
}
