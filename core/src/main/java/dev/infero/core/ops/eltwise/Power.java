package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;
import jdk.incubator.vector.VectorOperators;

/**
 * Element-wise {@code a ^ b} with numpy broadcasting (OpenVINO Power-1); both inputs have one type. Integer powers
 * are exact (wrapping on overflow); a negative integer exponent gives the truncated reciprocal, so 0 unless the base
 * is 1 or -1.
 */
public final class Power extends BinaryElementwise {
    public static final OpSpec<Power> SPEC = OpSpec.of(Power.class, "Power", "opset1",
            a -> new Power(), AUTO_BROADCAST);

    @Override
    protected boolean supports(ElementType type) {
        return type != ElementType.BOOLEAN;
    }

    @Override
    protected VectorOperators.Binary vectorOp() {
        return VectorOperators.POW;
    }

    @Override
    protected double apply(double a, double b) {
        return Math.pow(a, b);
    }

    @Override
    protected long apply(long base, long exponent, ElementType type) {
        if (exponent < 0 && type.isSigned()) {
            if (base == 1 || base == -1) {
                return (exponent & 1) == 0 ? 1 : base;
            }
            return 0;
        }
        long result = 1;
        for (long b = base, e = exponent; e != 0; e >>>= 1) {
            if ((e & 1) != 0) {
                result *= b;
            }
            b *= b;
        }
        return result;
    }
}
