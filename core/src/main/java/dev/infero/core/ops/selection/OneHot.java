package dev.infero.core.ops.selection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * OneHot-16: inserts a dimension of size depth at {@code axis} (counted in the output's rank) holding on_value where
 * its coordinate equals the index and off_value elsewhere. Inputs: indices (integers), depth, on_value, off_value
 * (scalars; the output has on_value's type). Indices outside [0, depth) give all off_value, except that with
 * {@code negative_indices_mode="normalize"} indices in [-depth, -1] count from the end (ONNX semantics).
 */
public final class OneHot extends Op {
    private static final Attribute<OneHot, Long> AXIS = Attribute.integer("axis", op -> op.axis);
    private static final Attribute<OneHot, String> NEGATIVE_INDICES_MODE = Attribute.string("negative_indices_mode",
            (OneHot op) -> op.normalizeNegative ? "normalize" : "ignore_negative").orElse("ignore_negative");
    public static final OpSpec<OneHot> SPEC = OpSpec.of(OneHot.class, "OneHot", "opset16",
            a -> new OneHot(AXIS.read(a), NEGATIVE_INDICES_MODE.read(a).equals("normalize")), AXIS,
            NEGATIVE_INDICES_MODE);

    private final long axis;
    private final boolean normalizeNegative;

    public OneHot(long axis, boolean normalizeNegative) {
        this.axis = axis;
        this.normalizeNegative = normalizeNegative;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape indices = ctx.inputShape(0);
        ctx.requireInteger(0, "indices");
        if (ctx.inputType(2) != ctx.inputType(3)) {
            throw ctx.error("on_value (" + ctx.inputType(2) + ") and off_value (" + ctx.inputType(3)
                    + ") must have the same type");
        }
        for (int i = 1; i < 4; i++) {
            PartialShape s = ctx.inputShape(i);
            if (s.hasRank() && s.rank() != 0) {
                throw ctx.error("input " + i + " (depth, on_value, off_value) must be a scalar, got " + s);
            }
        }
        if (!indices.hasRank()) {
            ctx.setOutput(0, ctx.inputType(2), PartialShape.unknownRank());
            return;
        }
        int rank = indices.rank() + 1;
        if (axis < -rank || axis >= rank) {
            throw ctx.error("axis " + axis + " is out of range for output rank " + rank);
        }
        int a = Shapes.normalizeAxis(axis, rank);
        Tensor depth = ctx.inputValue(1);
        if (depth != null && depth.getLong(0) < 0) {
            throw ctx.error("depth must not be negative, got " + depth.getLong(0));
        }
        int[] dims = new int[rank];
        for (int d = 0, j = 0; d < rank; d++) {
            dims[d] = d == a ? (depth == null ? PartialShape.DYNAMIC : (int) depth.getLong(0)) : indices.dim(j++);
        }
        ctx.setOutput(0, ctx.inputType(2), PartialShape.of(dims));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor indices = inputs[0];
        Tensor out = outputs[0];
        int a = Shapes.normalizeAxis(axis, out.rank());
        AxisSlices s = AxisSlices.of(out.shape(), a);
        int depth = s.axisSize();
        for (int line = 0; line < s.lines(); line++) {
            long index = indices.getLong(line);
            if (normalizeNegative && index < 0) {
                index += depth;
            }
            int start = s.start(line);
            for (int j = 0; j < depth; j++) {
                inputs[j == index ? 2 : 3].copyElement(0, out, s.at(start, j));
            }
        }
    }
}
