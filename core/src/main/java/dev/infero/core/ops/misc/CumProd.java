package dev.infero.core.ops.misc;

import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.selection.CumulativeOp;

/**
 * Running products along an axis (ONNX CumProd; OpenVINO has no such op, hence version {@code infero}); see
 * {@link CumulativeOp}.
 */
public final class CumProd extends CumulativeOp {
    public static final OpSpec<CumProd> SPEC = spec(CumProd.class, "CumProd", "infero", CumProd::new);

    public CumProd(boolean exclusive, boolean reverse) {
        super(exclusive, reverse);
    }

    @Override
    protected long identity() {
        return 1;
    }

    @Override
    protected double combine(double total, double x) {
        return total * x;
    }

    @Override
    protected long combine(long total, long x) {
        return total * x;
    }
}
