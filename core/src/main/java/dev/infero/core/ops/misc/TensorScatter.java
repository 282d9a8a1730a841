package dev.infero.core.ops.misc;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * A key/value-cache update: the cache (input 0, {@code [B, ..., max_len, ...]}) with, for every batch entry
 * {@code b}, the {@code len} slices of the update (input 1, the same shape but {@code len} along {@code axis})
 * written at positions {@code write_indices[b] + i} along {@code axis} (input 2, {@code [B]}, default 0).
 * {@code circular=true} wraps positions modulo {@code max_len}; otherwise they must fit.
 *
 * <p>Infero-specific (version "infero"): OpenVINO has no such op (ONNX TensorScatter-24).
 */
public final class TensorScatter extends Op {
    private static final Attribute<TensorScatter, Long> AXIS = Attribute.integer("axis", op -> op.axis);
    private static final Attribute<TensorScatter, Boolean> CIRCULAR = Attribute.bool("circular",
            (TensorScatter op) -> op.circular).orElse(false);
    public static final OpSpec<TensorScatter> SPEC = OpSpec.of(TensorScatter.class, "TensorScatter", "infero",
            a -> new TensorScatter(AXIS.read(a), CIRCULAR.read(a)), AXIS, CIRCULAR);

    private final long axis;
    private final boolean circular;

    public TensorScatter(long axis, boolean circular) {
        this.axis = axis;
        this.circular = circular;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape cache = ctx.inputShape(0);
        PartialShape update = ctx.inputShape(1);
        if (ctx.inputType(1) != ctx.inputType(0)) {
            throw ctx.error("update type " + ctx.inputType(1) + " differs from the cache type " + ctx.inputType(0));
        }
        if (cache.hasRank()) {
            int a = axis(ctx, cache.rank());
            if (update.hasRank() && update.rank() != cache.rank()) {
                throw ctx.error("update " + update + " and cache " + cache + " must have the same rank");
            }
            if (cache.isStatic() && update.isStatic()) {
                for (int d = 0; d < cache.rank(); d++) {
                    if (d == a ? update.dim(d) > cache.dim(d) : update.dim(d) != cache.dim(d)) {
                        throw ctx.error("update " + update + " does not fit cache " + cache + " along axis " + a);
                    }
                }
            }
        }
        if (ctx.hasInput(2) && !ctx.inputType(2).isInteger()) {
            throw ctx.error("write_indices must be integers, got " + ctx.inputType(2));
        }
        ctx.setOutput(0, ctx.inputType(0), cache);
    }

    private int axis(InferContext ctx, int rank) {
        if (axis < -rank || axis >= rank || axis == 0 || axis == -rank) {
            throw ctx.error("axis " + axis + " must be a non-batch axis of rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor cache = inputs[0];
        Tensor update = inputs[1];
        Tensor out = outputs[0];
        cache.copyTo(out);
        int rank = cache.rank();
        int a = (int) (axis < 0 ? axis + rank : axis);
        int max = cache.dim(a);
        int len = update.dim(a);
        int batch = cache.dim(0);
        int middle = Shapes.product(cache.shape(), 1, a);
        int inner = Shapes.product(cache.shape(), a + 1, rank);
        boolean floating = cache.type().isFloating();
        for (int b = 0; b < batch; b++) {
            long start = inputs.length > 2 && inputs[2] != null ? inputs[2].getLong(b) : 0;
            for (int m = 0; m < middle; m++) {
                for (int s = 0; s < len; s++) {
                    long position = circular ? Math.floorMod(start + s, max) : start + s;
                    if (position < 0 || position >= max) {
                        throw new dev.infero.core.InferoException("TensorScatter: write position " + position
                                + " of batch entry " + b + " is outside the cache length " + max);
                    }
                    int from = ((b * middle + m) * len + s) * inner;
                    int to = (int) (((long) (b * middle + m) * max + position) * inner);
                    for (int i = 0; i < inner; i++) {
                        if (floating) {
                            out.setDouble(to + i, update.getDouble(from + i));
                        } else {
                            out.setLong(to + i, update.getLong(from + i));
                        }
                    }
                }
            }
        }
    }
}
