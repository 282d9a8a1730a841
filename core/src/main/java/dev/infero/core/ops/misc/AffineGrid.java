package dev.infero.core.ops.misc;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/**
 * The sampling grid of affine transforms {@code theta} ({@code [N, 2, 3]} for 2-D, {@code [N, 3, 4]} for 3-D) for
 * an image of size input 1 ({@code [N, C, H, W]} or {@code [N, C, D, H, W]}): output {@code [N, H, W, 2]} (or
 * {@code [N, D, H, W, 3]}) where each point is {@code theta · (x, y[, z], 1)} for the normalised pixel centres
 * {@code x, y, z} in [-1, 1] ({@code align_corners}: -1 and 1 are the corner pixels' centres, else the image
 * edges). The output feeds GridSample.
 *
 * <p>Infero-specific (version "infero"): OpenVINO has no AffineGrid (ONNX AffineGrid-20).
 */
public final class AffineGrid extends Op {
    private static final Attribute<AffineGrid, Boolean> ALIGN_CORNERS = Attribute.bool("align_corners",
            (AffineGrid op) -> op.alignCorners).orElse(false);
    public static final OpSpec<AffineGrid> SPEC = OpSpec.of(AffineGrid.class, "AffineGrid", "infero",
            a -> new AffineGrid(ALIGN_CORNERS.read(a)), ALIGN_CORNERS);

    private final boolean alignCorners;

    public AffineGrid(boolean alignCorners) {
        this.alignCorners = alignCorners;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape theta = ctx.inputShape(0);
        if (!ctx.inputType(0).isFloating() || !ctx.inputType(1).isInteger()) {
            throw ctx.error("theta must be floating point and size integer, got " + ctx.inputType(0) + " and "
                    + ctx.inputType(1));
        }
        if (theta.hasRank() && theta.rank() != 3) {
            throw ctx.error("theta must be [N, 2, 3] or [N, 3, 4], got " + theta);
        }
        Tensor size = ctx.inputValue(1);
        if (size == null) {
            PartialShape sizeShape = ctx.inputShape(1);
            ctx.setOutput(0, ctx.inputType(0), sizeShape.isStatic()
                    ? PartialShape.dynamic(sizeShape.dim(0) - 1) : PartialShape.unknownRank());
            return;
        }
        int spatial = size.size() - 2;
        if (spatial != 2 && spatial != 3) {
            throw ctx.error("size must be [N, C, H, W] or [N, C, D, H, W], got " + size.size() + " values");
        }
        if (theta.hasRank() && (!theta.isDynamic(1) && theta.dim(1) != spatial
                || !theta.isDynamic(2) && theta.dim(2) != spatial + 1)) {
            throw ctx.error("theta " + theta + " does not fit " + spatial + "-D images");
        }
        int[] out = new int[spatial + 2];
        out[0] = (int) size.getLong(0);
        for (int d = 0; d < spatial; d++) {
            out[1 + d] = (int) size.getLong(2 + d);
        }
        out[spatial + 1] = spatial;
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor theta = inputs[0];
        Tensor out = outputs[0];
        int k = out.rank() - 2;
        int[] size = new int[k];
        int points = 1;
        for (int d = 0; d < k; d++) {
            size[d] = out.dim(1 + d);
            points *= size[d];
        }
        double[] coordinate = new double[k + 1];
        coordinate[k] = 1;
        for (int n = 0; n < out.dim(0); n++) {
            for (int p = 0; p < points; p++) {
                // coordinate 0 is x, the innermost spatial axis
                for (int c = 0, rest = p; c < k; c++) {
                    int axis = k - 1 - c;
                    coordinate[c] = normalised(rest % size[axis], size[axis]);
                    rest /= size[axis];
                }
                for (int row = 0; row < k; row++) {
                    double sum = 0;
                    for (int col = 0; col <= k; col++) {
                        sum += theta.getDouble((n * k + row) * (k + 1) + col) * coordinate[col];
                    }
                    out.setDouble((n * points + p) * k + row, sum);
                }
            }
        }
    }

    private double normalised(int i, int size) {
        if (alignCorners) {
            return size == 1 ? 0 : -1 + 2.0 * i / (size - 1);
        }
        return (2.0 * i + 1) / size - 1;
    }
}
