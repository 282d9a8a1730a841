package dev.infero.core.ops.movement;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import java.util.Arrays;
import java.util.Locale;

/**
 * Broadcast-3: repeats the data (input 0) to a shape given by input 1. In {@code numpy} mode the output has exactly
 * the target shape and the data must broadcast to it; in {@code bidirectional} mode (ONNX Expand) the output is the
 * numpy broadcast of data shape and target shape, so target 1s keep the data's dimension. ({@code explicit} mode,
 * with an axes mapping, is not needed by any frontend and not implemented.)
 */
public final class Broadcast extends Op {
    private static final Attribute<Broadcast, Mode> MODE = Attribute.enumValue("mode", Mode.class,
            (Broadcast op) -> op.mode()).orElse(Mode.NUMPY);
    public static final OpSpec<Broadcast> SPEC = OpSpec.of(Broadcast.class, "Broadcast", "opset3",
            a -> new Broadcast(MODE.read(a)), MODE);

    /** How the target shape combines with the data shape. */
    public enum Mode {
        NUMPY, BIDIRECTIONAL;

        public String irName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Mode mode;

    public Broadcast(Mode mode) {
        this.mode = mode;
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        Tensor target = ctx.inputValue(1);
        if (target == null) {
            PartialShape ts = ctx.inputShape(1);
            if (!ts.isStatic() || ts.rank() != 1 || mode == Mode.BIDIRECTIONAL && !in.hasRank()) {
                ctx.setOutput(0, ctx.inputType(0), PartialShape.unknownRank());
            } else {
                int rank = mode == Mode.NUMPY ? ts.dim(0) : Math.max(ts.dim(0), in.rank());
                ctx.setOutput(0, ctx.inputType(0), PartialShape.dynamic(rank));
            }
            return;
        }
        if (target.rank() != 1) {
            throw ctx.error("target shape must be 1-D, got " + target.describe());
        }
        long[] t = target.toLongArray();
        for (long d : t) {
            if (d < 0) {
                throw ctx.error("target shape " + Arrays.toString(t) + " has a negative dimension");
            }
        }
        PartialShape targetShape = PartialShape.of(t);
        if (mode == Mode.BIDIRECTIONAL) {
            ctx.setOutput(0, ctx.inputType(0), Shapes.broadcast(in, targetShape));
            return;
        }
        if (in.hasRank()) {
            if (in.rank() > t.length) {
                throw ctx.error("data of rank " + in.rank() + " cannot broadcast to the lower rank " + t.length);
            }
            int offset = t.length - in.rank();
            for (int i = 0; i < in.rank(); i++) {
                int d = in.dim(i);
                if (d != PartialShape.DYNAMIC && d != 1 && d != t[i + offset]) {
                    throw ctx.error("data shape " + in + " cannot broadcast to " + Arrays.toString(t));
                }
            }
        }
        ctx.setOutput(0, ctx.inputType(0), targetShape);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Tensor out = outputs[0];
        StridedView.copy(in, 0, out.shape(), Shapes.broadcastStrides(in.shape(), out.shape()), out);
    }
}
