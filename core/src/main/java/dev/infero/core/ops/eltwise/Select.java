package dev.infero.core.ops.eltwise;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;

/**
 * Element-wise choice {@code cond ? then : else} (OpenVINO Select-1, ONNX Where) with numpy broadcasting over all
 * three inputs ({@code auto_broadcast="numpy"}). The condition is boolean; both branches share one element type.
 */
public final class Select extends Op {
    public static final OpSpec<Select> SPEC = OpSpec.of(Select.class, "Select", "opset1", a -> new Select(),
            BinaryElementwise.AUTO_BROADCAST);

    @Override
    public void infer(InferContext ctx) {
        if (ctx.inputType(0) != ElementType.BOOLEAN) {
            throw ctx.error("condition must be boolean, got " + ctx.inputType(0));
        }
        ElementType type = ctx.inputType(1);
        if (ctx.inputType(2) != type) {
            throw ctx.error("then and else element types differ: " + type + " and " + ctx.inputType(2));
        }
        ctx.setOutput(0, type, Shapes.broadcast(Shapes.broadcast(ctx.inputShape(0), ctx.inputShape(1)),
                ctx.inputShape(2)));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor out = outputs[0];
        byte[] c = inputs[0].bytes();
        Tensor a = inputs[1];
        Tensor b = inputs[2];
        BroadcastLoop loop = new BroadcastLoop(out.shape(), inputs[0].shape(), a.shape(), b.shape());
        if (out.type() == ElementType.F32) {
            float[] x = a.floats();
            float[] y = b.floats();
            float[] z = out.floats();
            loop.forEachRow((off, steps, o, n) -> {
                for (int i = 0; i < n; i++) {
                    z[o + i] = c[off[0] + i * steps[0]] != 0 ? x[off[1] + i * steps[1]] : y[off[2] + i * steps[2]];
                }
            });
        } else if (out.type().isFloating()) {
            loop.forEachRow((off, steps, o, n) -> {
                for (int i = 0; i < n; i++) {
                    boolean pick = c[off[0] + i * steps[0]] != 0;
                    double v = pick ? a.getDouble(off[1] + i * steps[1]) : b.getDouble(off[2] + i * steps[2]);
                    out.setDouble(o + i, v);
                }
            });
        } else {
            loop.forEachRow((off, steps, o, n) -> {
                for (int i = 0; i < n; i++) {
                    boolean pick = c[off[0] + i * steps[0]] != 0;
                    out.setLong(o + i, pick ? a.getLong(off[1] + i * steps[1]) : b.getLong(off[2] + i * steps[2]));
                }
            });
        }
    }
}
