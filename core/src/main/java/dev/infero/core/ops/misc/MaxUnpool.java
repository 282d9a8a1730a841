package dev.infero.core.ops.misc;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/**
 * The partial inverse of max pooling: a zero tensor of the shape given by input 2 (1-D integer) with each value of
 * the data (input 0) written at the flat position (over the whole output, batch and channel included) that input 1
 * holds for it — the indices a MaxPool with index output produced. Positions written twice keep the last value.
 *
 * <p>Infero-specific (version "infero"): OpenVINO has no unpooling op (ONNX MaxUnpool-11); the translator computes
 * the default output shape from the pooling geometry.
 */
public final class MaxUnpool extends Op {
    public static final OpSpec<MaxUnpool> SPEC = OpSpec.of(MaxUnpool.class, "MaxUnpool", "infero",
            a -> new MaxUnpool());

    @Override
    public void infer(InferContext ctx) {
        if (!ctx.inputType(1).isInteger() || !ctx.inputType(2).isInteger()) {
            throw ctx.error("indices and output shape must be integers, got " + ctx.inputType(1) + " and "
                    + ctx.inputType(2));
        }
        PartialShape data = ctx.inputShape(0);
        PartialShape indices = ctx.inputShape(1);
        if (data.isStatic() && indices.isStatic() && !java.util.Arrays.equals(data.toArray(), indices.toArray())) {
            throw ctx.error("indices " + indices + " must have the shape of the data " + data);
        }
        Tensor shape = ctx.inputValue(2);
        if (shape == null) {
            PartialShape s = ctx.inputShape(2);
            ctx.setOutput(0, ctx.inputType(0), s.isStatic() ? PartialShape.dynamic(s.dim(0))
                    : PartialShape.unknownRank());
            return;
        }
        long[] dims = shape.toLongArray();
        for (long d : dims) {
            if (d < 0) {
                throw ctx.error("output shape " + java.util.Arrays.toString(dims) + " has a negative dimension");
            }
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(dims));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        Tensor indices = inputs[1];
        Tensor out = outputs[0];
        for (int i = 0; i < out.size(); i++) {
            out.setDouble(i, 0);
        }
        for (int i = 0; i < data.size(); i++) {
            long at = indices.getLong(i);
            if (at < 0 || at >= out.size()) {
                throw new dev.infero.core.InferoException("MaxUnpool: index " + at + " is outside the output of "
                        + out.size() + " elements");
            }
            data.copyElement(i, out, (int) at);
        }
    }
}
