package dev.infero.core.ops.misc;

import dev.infero.core.op.AttributeSink;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * Running products along the axis given by the optional scalar input 1 (default 0), the product counterpart of
 * CumSum-3 with the same attributes: {@code exclusive=true} leaves out the element itself (the first product is 1);
 * {@code reverse=true} multiplies from the end of the axis.
 *
 * <p>Infero-specific (version "infero"): OpenVINO has no cumulative product (ONNX CumProd-26).
 */
public final class CumProd extends Op {
    private final boolean exclusive;
    private final boolean reverse;

    public CumProd(boolean exclusive, boolean reverse) {
        this.exclusive = exclusive;
        this.reverse = reverse;
    }

    @Override
    public String type() {
        return "CumProd";
    }

    @Override
    public String version() {
        return "infero";
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
        long axisValue = inputs.length > 1 && inputs[1] != null ? inputs[1].getLong(0) : 0;
        int axis = Shapes.normalizeAxis(axisValue, in.rank());
        int n = in.dim(axis);
        int inner = Shapes.product(in.shape(), axis + 1, in.rank());
        int outer = Shapes.product(in.shape(), 0, axis);
        boolean floating = in.type().isFloating();
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double dprod = 1;
                long lprod = 1;
                for (int step = 0; step < n; step++) {
                    int at = (o * n + (reverse ? n - 1 - step : step)) * inner + i;
                    if (floating) {
                        double x = in.getDouble(at);
                        out.setDouble(at, exclusive ? dprod : dprod * x);
                        dprod *= x;
                    } else {
                        long x = in.getLong(at);
                        out.setLong(at, exclusive ? lprod : lprod * x);
                        lprod *= x;
                    }
                }
            }
        }
    }
}
