package dev.infero.core.ops.detection;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/**
 * What PriorBox and PriorBoxClustered share: two integer 1-D inputs, {@code output_size} = [H, W] (the feature map)
 * and {@code image_size} = [IH, IW]; an f32 output [2, 4·H·W·priors] whose first row holds the boxes
 * (xmin, ymin, xmax, ymax per prior, cell by cell in row-major order) and whose second row holds the variances.
 */
abstract sealed class PriorGenerator extends Op permits PriorBox, PriorBoxClustered {
    /** Priors generated at each cell of the feature map. */
    abstract int priorsPerCell();

    /** The variance attribute: empty (meaning 0.1), one value, or four. */
    abstract float[] variance();

    /**
     * Writes the boxes, 4·H·W·priorsPerCell() values from {@code out[0]}, for feature map {@code h}×{@code w} and
     * image {@code imageH}×{@code imageW}.
     */
    abstract void generateBoxes(int h, int w, int imageH, int imageW, float[] out);

    /** Checks attribute combinations the kernel cannot honour; returns a message, or null when all is well. */
    String attributeProblem() {
        int n = variance().length;
        return n == 0 || n == 1 || n == 4 ? null : "variance must have 0, 1 or 4 values, got " + n;
    }

    @Override
    public void infer(InferContext ctx) {
        String problem = attributeProblem();
        if (problem != null) {
            throw ctx.error(problem);
        }
        String[] names = {"output_size", "image_size"};
        for (int i = 0; i < 2; i++) {
            if (!ctx.inputType(i).isInteger()) {
                throw ctx.error(names[i] + " (input " + i + ") must be an integer tensor, got " + ctx.inputType(i));
            }
            PartialShape s = ctx.inputShape(i);
            if (s.hasRank() && (s.rank() != 1 || (!s.isDynamic(0) && s.dim(0) != 2))) {
                throw ctx.error(names[i] + " (input " + i + ") must be a 1-D tensor [height, width], got shape " + s);
            }
        }
        Tensor size = ctx.inputValue(0);
        if (size == null) {
            ctx.setOutput(0, ElementType.F32, PartialShape.of(2, PartialShape.DYNAMIC));
            return;
        }
        long cells = size.getLong(0) * size.getLong(1);
        if (size.getLong(0) < 0 || size.getLong(1) < 0) {
            throw ctx.error("output_size " + size.getLong(0) + "x" + size.getLong(1) + " is negative");
        }
        long length = 4 * cells * priorsPerCell();
        if (length > Integer.MAX_VALUE - 8) {
            throw ctx.error("output_size " + size.getLong(0) + "x" + size.getLong(1) + " gives too many priors");
        }
        ctx.setOutput(0, ElementType.F32, PartialShape.of(2, (int) length));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor out = outputs[0];
        float[] data = out.floats();
        int rowLength = out.dim(1);
        generateBoxes((int) inputs[0].getLong(0), (int) inputs[0].getLong(1), (int) inputs[1].getLong(0),
                (int) inputs[1].getLong(1), data);
        float[] variance = variance().length == 0 ? new float[] {0.1f} : variance();
        for (int i = 0; i < rowLength; i++) {
            data[rowLength + i] = variance[i % variance.length];
        }
    }
}
