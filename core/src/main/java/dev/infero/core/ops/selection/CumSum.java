package dev.infero.core.ops.selection;

import dev.infero.core.op.OpSpec;

/** CumSum-3: running sums along an axis (see {@link CumulativeOp}). */
public final class CumSum extends CumulativeOp {
    public static final OpSpec<CumSum> SPEC = OpSpec.of(CumSum.class, "CumSum", "opset3",
            a -> new CumSum(EXCLUSIVE.read(a), REVERSE.read(a)), EXCLUSIVE, REVERSE);

    public CumSum(boolean exclusive, boolean reverse) {
        super(exclusive, reverse);
    }

    @Override
    public OpSpec<CumSum> spec() {
        return SPEC;
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
