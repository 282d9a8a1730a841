package dev.infero.core.ops.movement;

import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;

/**
 * Ops that only reinterpret the shape (Reshape, Squeeze, Unsqueeze): the elements are copied unchanged, in order.
 * The runtime may later alias their output to their input instead of copying.
 */
public abstract class ShapeOnlyOp extends Op {
    @Override
    public final void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        System.arraycopy(in.array(), 0, outputs[0].array(), 0, in.size());
    }
}
