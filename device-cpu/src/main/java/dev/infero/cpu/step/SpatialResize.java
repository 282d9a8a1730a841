package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;

/**
 * What the resize steps ({@link NearestResizeStep}, {@link LinearResizeStep}) take: an {@code Interpolate} of one
 * static 4-D f32 NCHW tensor that keeps N and C, with its sizes/scales inputs known at compile time.
 *
 * @param op     the node's op
 * @param in     the input's dimensions
 * @param out    the output's dimensions
 * @param inputs the op's inputs for {@link Interpolate#evaluate} / {@link Interpolate#axisTaps}: index 0 left empty,
 *               the others their known values (or {@code null} where the port is absent)
 */
record SpatialResize(Interpolate op, int[] in, int[] out, Tensor[] inputs) {

    /** The resize {@code node} describes in mode {@code mode}, or {@code null} when it is not one the steps take. */
    static SpatialResize of(Node node, String mode) {
        if (!(node.op() instanceof Interpolate op) || !op.attributes().mode().equals(mode)
                || node.outputs().size() != 1) {
            return null;
        }
        Value in = node.input(0);
        Value out = node.output(0);
        if (in.type() != ElementType.F32 || !in.shape().isStatic() || !out.shape().isStatic()
                || in.shape().rank() != 4 || out.shape().rank() != 4) {
            return null;
        }
        int[] is = in.shape().toArray();
        int[] os = out.shape().toArray();
        if (is[0] != os[0] || is[1] != os[1] || (long) is[2] * is[3] == 0 || (long) os[2] * os[3] == 0) {
            return null;
        }
        Tensor[] inputs = new Tensor[node.inputs().size()];
        for (int i = 1; i < inputs.length; i++) {
            Value v = node.input(i);
            if (v != null && (inputs[i] = v.knownValue()) == null) {
                return null;
            }
        }
        return new SpatialResize(op, is, os, inputs);
    }
}
