package dev.infero.core.ops.movement;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.OutputTypeOp;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/**
 * Range-4: the 1-D sequence {@code start, start + step, ...} up to (excluding) {@code stop}, from scalar inputs
 * start, stop, step, with {@code max(ceil((stop - start) / step), 0)} elements of {@code output_type}. Values are
 * computed as {@code start + i * step} in double (integers: in long) and then rounded to the output type.
 */
public final class Range extends OutputTypeOp {
    public static final OpSpec<Range> SPEC = OpSpec.of(Range.class, "Range", "opset4",
            a -> new Range(OUTPUT_TYPE.read(a)), OUTPUT_TYPE);

    public Range(ElementType outputType) {
        super(outputType);
    }

    @Override
    public void infer(InferContext ctx) {
        for (int i = 0; i < 3; i++) {
            PartialShape s = ctx.inputShape(i);
            if (!s.fitsScalar()) {
                throw ctx.error("start, stop and step must be scalars, input " + i + " has shape " + s);
            }
        }
        Tensor start = ctx.inputValue(0);
        Tensor stop = ctx.inputValue(1);
        Tensor step = ctx.inputValue(2);
        if (start == null || stop == null || step == null) {
            ctx.setOutput(0, outputType, PartialShape.dynamic(1));
            return;
        }
        ctx.setOutput(0, outputType, PartialShape.of(length(ctx, start, stop, step)));
    }

    private int length(InferContext ctx, Tensor start, Tensor stop, Tensor step) {
        double n;
        if (integral(start, stop, step)) {
            long s = step.getLong(0);
            if (s == 0) {
                throw ctx.error("step must not be zero");
            }
            n = Math.ceil((double) (stop.getLong(0) - start.getLong(0)) / s);
        } else {
            double s = step.getDouble(0);
            if (s == 0) {
                throw ctx.error("step must not be zero");
            }
            n = Math.ceil((stop.getDouble(0) - start.getDouble(0)) / s);
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw ctx.error("the range has too many elements (" + n + ")");
        }
        return (int) Math.max(n, 0);
    }

    private boolean integral(Tensor start, Tensor stop, Tensor step) {
        return !outputType.isFloating() && !start.type().isFloating() && !stop.type().isFloating()
                && !step.type().isFloating();
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor out = outputs[0];
        if (integral(inputs[0], inputs[1], inputs[2])) {
            long start = inputs[0].getLong(0);
            long step = inputs[2].getLong(0);
            for (int i = 0; i < out.size(); i++) {
                out.setLong(i, start + i * step);
            }
        } else {
            double start = inputs[0].getDouble(0);
            double step = inputs[2].getDouble(0);
            for (int i = 0; i < out.size(); i++) {
                out.setDouble(i, start + i * step);
            }
        }
    }
}
