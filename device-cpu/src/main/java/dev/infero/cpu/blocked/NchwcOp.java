package dev.infero.cpu.blocked;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;

/**
 * Base of the device-private ops of the blocked layout: named as ONNX Runtime names its NCHWc ops, version
 * {@code infero-cpu}; never registered, never written to IR (they exist only in a graph the CPU device plans).
 */
abstract class NchwcOp extends Op {
    private final String type;

    NchwcOp(String type) {
        this.type = type;
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final String version() {
        return "infero-cpu";
    }

    /** The static shape of input {@code i}, which must be f32 of {@code rank} dimensions. */
    static int[] f32Shape(InferContext ctx, int i, int rank, String what) {
        if (ctx.inputType(i) != ElementType.F32) {
            throw ctx.error(what + " must be f32, got " + ctx.inputType(i));
        }
        int[] s = ctx.staticShape(i);
        if (s.length != rank) {
            throw ctx.error(what + " must have " + rank + " dimensions, got " + ctx.inputShape(i));
        }
        return s;
    }

    /** An NCHW tensor holding the blocked tensor {@code t} of {@code c} channels. */
    static Tensor unblocked(Tensor t, int c) {
        int[] s = t.shape();
        Tensor out = Tensor.allocate(ElementType.F32, s[0], c, s[2], s[3]);
        Blocked.fromBlocked(t.floats(), out.floats(), s[0], c, s[2], s[3]);
        return out;
    }

    /** Writes the NCHW tensor {@code t} blocked into {@code out}. */
    static void block(Tensor t, Tensor out) {
        int[] s = t.shape();
        Blocked.toBlocked(t.floats(), out.floats(), s[0], s[1], s[2], s[3]);
    }
}
