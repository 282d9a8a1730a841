package dev.infero.core.ops.selection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import java.util.function.BiFunction;

/**
 * Running totals along the axis given by the optional scalar input 1 (default 0): sums for CumSum, products for
 * CumProd. {@code exclusive=true} leaves out the element itself (the first total is the identity);
 * {@code reverse=true} runs from the end of the axis.
 */
public abstract class CumulativeOp extends Op {
    /** The attributes of both: whether each total leaves out its own element, and whether it runs backwards. */
    private static final Attribute<CumulativeOp, Boolean> EXCLUSIVE = Attribute.bool("exclusive",
            (CumulativeOp op) -> op.exclusive).orElse(false);
    private static final Attribute<CumulativeOp, Boolean> REVERSE = Attribute.bool("reverse",
            (CumulativeOp op) -> op.reverse).orElse(false);

    private final boolean exclusive;
    private final boolean reverse;

    /** A running-total op's declaration: {@code exclusive}, {@code reverse}, read into the op {@code create} builds. */
    protected static <O extends CumulativeOp> OpSpec<O> spec(Class<O> opClass, String type, String version,
                                                             BiFunction<Boolean, Boolean, O> create) {
        return OpSpec.of(opClass, type, version, a -> create.apply(EXCLUSIVE.read(a), REVERSE.read(a)), EXCLUSIVE,
                REVERSE);
    }

    protected CumulativeOp(boolean exclusive, boolean reverse) {
        this.exclusive = exclusive;
        this.reverse = reverse;
    }

    /** The total of nothing: 0 for sums, 1 for products. */
    protected abstract long identity();

    protected abstract double combine(double total, double x);

    protected abstract long combine(long total, long x);

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
            double dsum = identity();
            long lsum = identity();
            for (int step = 0; step < n; step++) {
                int i = s.at(start, reverse ? n - 1 - step : step);
                if (floating) {
                    double x = in.getDouble(i);
                    double next = combine(dsum, x);
                    out.setDouble(i, exclusive ? dsum : next);
                    dsum = next;
                } else {
                    long x = in.getLong(i);
                    long next = combine(lsum, x);
                    out.setLong(i, exclusive ? lsum : next);
                    lsum = next;
                }
            }
        }
    }
}
