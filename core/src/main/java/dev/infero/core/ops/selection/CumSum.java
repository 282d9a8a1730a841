package dev.infero.core.ops.selection;

/** CumSum-3: running sums along an axis (see {@link CumulativeOp}). */
public final class CumSum extends CumulativeOp {
    public CumSum(boolean exclusive, boolean reverse) {
        super(exclusive, reverse);
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
