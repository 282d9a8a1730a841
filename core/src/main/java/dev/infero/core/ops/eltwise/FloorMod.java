package dev.infero.core.ops.eltwise;

import dev.infero.core.InferoException;
import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;

/**
 * Element-wise floored remainder {@code a - b * floor(a / b)} with numpy broadcasting (OpenVINO FloorMod-1): the
 * result has the sign of the divisor, like Python's {@code %} and ONNX {@code Mod(fmod=0)}. Integer division by zero
 * is an error.
 */
public final class FloorMod extends BinaryElementwise {
    public static final OpSpec<FloorMod> SPEC = OpSpec.of(FloorMod.class, "FloorMod", "opset1",
            a -> new FloorMod(), AUTO_BROADCAST);

    @Override
    protected boolean supports(ElementType type) {
        return type != ElementType.BOOLEAN;
    }

    @Override
    protected double apply(double a, double b) {
        return floorMod(a, b);
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        if (b == 0) {
            throw new InferoException("integer modulo by zero in FloorMod");
        }
        return type == ElementType.U64 ? Long.remainderUnsigned(a, b) : Math.floorMod(a, b);
    }

    @Override
    protected void applyFloatRow(float[] x, int xo, int xs, float[] y, int yo, int ys, float[] z, int zo, int n) {
        for (int i = 0; i < n; i++) {
            z[zo + i] = (float) floorMod(x[xo + i * xs], y[yo + i * ys]);
        }
    }

    private static double floorMod(double a, double b) {
        double r = a % b;
        return r != 0 && (r < 0) != (b < 0) ? r + b : r;
    }
}
