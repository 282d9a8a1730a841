package dev.infero.core.ops.selection;

import dev.infero.core.op.OpSpec;

/** CumSum-3: running sums along an axis (see {@link CumulativeOp}). */
public final class CumSum extends CumulativeOp {
    public static final OpSpec<CumSum> SPEC = spec(CumSum.class, "CumSum", "opset3", CumSum::new);

    public CumSum(boolean exclusive, boolean reverse) {
        super(exclusive, reverse);
    }

    @Override
    protected long identity() {
        return 0;
    }

    @Override
    protected double combine(double total, double x) {
        return total + x;
    }

    @Override
    protected long combine(long total, long x) {
        return total + x;
    }
}
