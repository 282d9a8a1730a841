package dev.infero.core.ops.selection;

import dev.infero.core.op.AttributeSink;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * CumSum-3: running sums along the axis given by the optional scalar input 1 (default 0). {@code exclusive=true}
 * leaves out the element itself (the first sum is 0); {@code reverse=true} sums from the end of the axis.
 */
public final class CumSum extends Op {
    private final boolean exclusive;
    private final boolean reverse;

    public CumSum(boolean exclusive, boolean reverse) {
        this.exclusive = exclusive;
        this.reverse = reverse;
    }

    @Override
    public String type() {
        return "CumSum";
    }

    @Override
    public String version() {
        return "opset3";
    }

    @Override
    public void describe(AttributeSink sink) {
        sink.attribute("exclusive", exclusive);
        sink.attribute("reverse", reverse);
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        if (ctx.hasInput(1)) {
            PartialShape axisShape = ctx.inputShape(1);
            if (axisShape.hasRank() && axisShape.rank() != 0 || !ctx.inputType(1).isInteger()) {
                throw ctx.error("axis must be an integer scalar, got " + ctx.inputType(1) + axisShape);
            }
            Tensor axis = ctx.inputValue(1);
            if (axis != null && in.hasRank() && (axis.getLong(0) < -in.rank() || axis.getLong(0) >= in.rank())) {
                throw ctx.error("axis " + axis.getLong(0) + " is out of range for rank " + in.rank());
            }
        }
        ctx.setOutput(0, ctx.inputType(0), in);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Tensor out = outputs[0];
        long axis = inputs.length > 1 && inputs[1] != null ? inputs[1].getLong(0) : 0;
        AxisSlices s = AxisSlices.of(in.shape(), Shapes.normalizeAxis(axis, in.rank()));
        boolean floating = in.type().isFloating();
        int n = s.axisSize();
        for (int line = 0; line < s.lines(); line++) {
            int start = s.start(line);
            double dsum = 0;
            long lsum = 0;
            for (int step = 0; step < n; step++) {
                int i = s.at(start, reverse ? n - 1 - step : step);
                if (floating) {
                    double x = in.getDouble(i);
                    out.setDouble(i, exclusive ? dsum : dsum + x);
                    dsum += x;
                } else {
                    long x = in.getLong(i);
                    out.setLong(i, exclusive ? lsum : lsum + x);
                    lsum += x;
                }
            }
        }
    }
}
