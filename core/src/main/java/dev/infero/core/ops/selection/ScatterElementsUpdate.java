package dev.infero.core.ops.selection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * ScatterElementsUpdate-12: a copy of data in which, for every position {@code p} of indices,
 * {@code out[p with p[axis] replaced by indices[p]]} is combined with {@code updates[p]} by {@code reduction}
 * (none = overwrite, sum, prod, min, max, mean). Inputs: data, indices, updates (shape of indices), scalar axis.
 * With {@code use_init_val=false} the data value at a reduced position is ignored (the first update replaces it).
 * Updates apply in row-major order of indices, so "none" with duplicate indices keeps the last one.
 */
public final class ScatterElementsUpdate extends Op {
    private static final Attribute<ScatterElementsUpdate, String> REDUCTION = Attribute.string("reduction",
            (ScatterElementsUpdate op) -> op.reduction.irName()).orElse("none");
    private static final Attribute<ScatterElementsUpdate, Boolean> USE_INIT_VAL = Attribute.bool("use_init_val",
            (ScatterElementsUpdate op) -> op.useInitVal).orElse(true);
    public static final OpSpec<ScatterElementsUpdate> SPEC = OpSpec.of(ScatterElementsUpdate.class,
            "ScatterElementsUpdate", "opset12",
            a -> new ScatterElementsUpdate(REDUCTION.read(a), USE_INIT_VAL.read(a)), REDUCTION, USE_INIT_VAL);

    private final ScatterReduction reduction;
    private final boolean useInitVal;

    public ScatterElementsUpdate(String reduction, boolean useInitVal) {
        this.reduction = ScatterReduction.parse(reduction);
        if (this.reduction == ScatterReduction.SUB) {
            throw new IllegalArgumentException("ScatterElementsUpdate has no 'sub' reduction");
        }
        this.useInitVal = useInitVal;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape data = ctx.inputShape(0);
        PartialShape indices = ctx.inputShape(1);
        Indices.checkScatterInputs(ctx);
        if (indices.isStatic() && ctx.inputShape(2).isStatic() && !indices.equals(ctx.inputShape(2))) {
            throw ctx.error("indices " + indices + " and updates " + ctx.inputShape(2) + " must have the same shape");
        }
        if (data.hasRank() && indices.hasRank() && data.rank() != indices.rank()) {
            throw ctx.error("data " + data + " and indices " + indices + " must have the same rank");
        }
        Tensor axis = ctx.inputValue(3);
        if (axis != null && data.hasRank()) {
            ctx.axis(axis.getLong(0), data.rank());
        }
        ctx.setOutput(0, ctx.inputType(0), data);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        Tensor indices = inputs[1];
        Tensor updates = inputs[2];
        Tensor out = outputs[0];
        int axis = Shapes.normalizeAxis(inputs[3].getLong(0), data.rank());
        data.copyTo(out);
        int[] strides = Shapes.strides(data.shape());
        int[] counts = reduction == ScatterReduction.NONE ? null : new int[out.size()];
        int[] index = new int[indices.rank()];
        for (int i = 0; i < indices.size(); i++) {
            int target = 0;
            for (int d = 0; d < index.length; d++) {
                int coord = d == axis ? Indices.normalize(indices.getLong(i), data.dim(axis), "axis " + axis) : index[d];
                target += coord * strides[d];
            }
            if (counts != null && counts[target]++ == 0 && !useInitVal) {
                updates.copyElement(i, out, target);
            } else {
                reduction.apply(out, target, updates, i);
            }
            for (int d = index.length - 1; d >= 0 && ++index[d] == indices.dim(d); d--) {
                index[d] = 0;
            }
        }
        if (reduction == ScatterReduction.MEAN) {
            for (int i = 0; i < out.size(); i++) {
                int n = counts[i] + (useInitVal ? 1 : 0);
                if (counts[i] > 0) {
                    divide(out, i, n);
                }
            }
        }
    }

    /** Mean of integers rounds toward zero, as OpenVINO's reference does. */
    private static void divide(Tensor t, int i, int n) {
        if (t.type().isFloating()) {
            t.setDouble(i, t.getDouble(i) / n);
        } else {
            t.setLong(i, t.getLong(i) / n);
        }
    }
}
