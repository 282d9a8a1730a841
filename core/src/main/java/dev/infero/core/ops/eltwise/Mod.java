package dev.infero.core.ops.eltwise;

import dev.infero.core.InferoException;
import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;

/**
 * Element-wise truncated remainder {@code a - b * trunc(a / b)} with numpy broadcasting (OpenVINO Mod-1): the result
 * has the sign of the dividend, like C {@code fmod} and ONNX {@code Mod(fmod=1)}. Integer division by zero is an error.
 */
public final class Mod extends BinaryElementwise {
    public static final OpSpec<Mod> SPEC = OpSpec.of(Mod.class, "Mod", "opset1", a -> new Mod(), AUTO_BROADCAST);

    @Override
    protected boolean supports(ElementType type) {
        return type != ElementType.BOOLEAN;
    }

    @Override
    protected double apply(double a, double b) {
        return a % b; // Java's floating remainder is C fmod
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        if (b == 0) {
            throw new InferoException("integer modulo by zero in Mod");
        }
        return type == ElementType.U64 ? Long.remainderUnsigned(a, b) : a % b;
    }

    @Override
    protected void applyFloatRow(float[] x, int xo, int xs, float[] y, int yo, int ys, float[] z, int zo, int n) {
        for (int i = 0; i < n; i++) {
            z[zo + i] = x[xo + i * xs] % y[yo + i * ys];
        }
    }
}
