package dev.infero.core.ops.misc;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * Crops or zero-pads the listed {@code axes} (all when empty; negative count from the end) to the sizes of the 1-D
 * integer input 1, keeping the centre: a crop from {@code in} to {@code out} starts at {@code (in - out) / 2}, a pad
 * adds {@code (out - in) / 2} elements before and the rest after (both rounded down).
 *
 * <p>Infero-specific (version "infero"): OpenVINO has no such op (ONNX CenterCropPad-18); as one op it needs no
 * shape arithmetic subgraph when the target shape is only known at run time.
 */
public final class CenterCropPad extends Op {
    private static final Attribute<CenterCropPad, long[]> AXES = Attribute.integers("axes",
            (CenterCropPad op) -> op.axes).orElse(new long[0]);
    public static final OpSpec<CenterCropPad> SPEC = OpSpec.of(CenterCropPad.class, "CenterCropPad", "infero",
            a -> new CenterCropPad(AXES.read(a)), AXES);

    private final long[] axes;

    public CenterCropPad(long[] axes) {
        this.axes = axes.clone();
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        PartialShape shape = ctx.inputShape(1);
        if (!ctx.inputType(1).isInteger() || shape.hasRank() && shape.rank() != 1) {
            throw ctx.error("shape must be a 1-D integer tensor, got " + ctx.inputType(1) + shape);
        }
        if (!in.hasRank()) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.unknownRank());
            return;
        }
        int[] target = axes(ctx, in.rank());
        if (!shape.isDynamic(0) && shape.dim(0) != target.length) {
            throw ctx.error("shape " + shape + " must have one value per axis (" + target.length + ")");
        }
        int[] out = in.dimsOrDynamic().clone();
        Tensor sizes = ctx.inputValue(1);
        for (int i = 0; i < target.length; i++) {
            out[target[i]] = sizes == null ? PartialShape.DYNAMIC : (int) sizes.getLong(i);
            if (sizes != null && sizes.getLong(i) < 0) {
                throw ctx.error("target size " + sizes.getLong(i) + " is negative");
            }
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    private int[] axes(InferContext ctx, int rank) {
        if (axes.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] result = new int[axes.length];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] < -rank || axes[i] >= rank) {
                throw ctx.error("axis " + axes[i] + " is out of range for rank " + rank);
            }
            result[i] = (int) (axes[i] < 0 ? axes[i] + rank : axes[i]);
            if (seen[result[i]]) {
                throw ctx.error("axis " + axes[i] + " is repeated");
            }
            seen[result[i]] = true;
        }
        return result;
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Tensor out = outputs[0];
        int rank = in.rank();
        int[] offset = new int[rank];
        for (int d = 0; d < rank; d++) {
            int from = in.dim(d);
            int to = out.dim(d);
            offset[d] = from >= to ? (from - to) / 2 : -((to - from) / 2);
        }
        int[] strides = Shapes.strides(in.shape());
        int[] idx = new int[rank];
        boolean floating = in.type().isFloating();
        for (int o = 0; o < out.size(); o++) {
            int source = 0;
            boolean inside = true;
            for (int d = 0; d < rank; d++) {
                int i = idx[d] + offset[d];
                inside &= i >= 0 && i < in.dim(d);
                source += i * strides[d];
            }
            if (!inside) {
                out.setLong(o, 0);
            } else if (floating) {
                out.setDouble(o, in.getDouble(source));
            } else {
                out.setLong(o, in.getLong(source));
            }
            for (int d = rank - 1; d >= 0 && ++idx[d] == out.dim(d); d--) {
                idx[d] = 0;
            }
        }
    }
}
