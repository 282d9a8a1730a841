package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;
import jdk.incubator.vector.VectorOperators;

/** Element-wise {@code min(a, b)} with numpy broadcasting (OpenVINO Minimum-1). */
public final class Minimum extends BinaryElementwise {
    public static final OpSpec<Minimum> SPEC = OpSpec.of(Minimum.class, "Minimum", "opset1",
            a -> new Minimum(), AUTO_BROADCAST);

    @Override
    protected VectorOperators.Binary vectorOp() {
        return VectorOperators.MIN;
    }

    @Override
    protected double apply(double a, double b) {
        return Math.min(a, b);
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        // u64 is the only type whose long form is not its value; narrower unsigned types are zero-extended.
        return type == ElementType.U64 ? (Long.compareUnsigned(a, b) <= 0 ? a : b) : Math.min(a, b);
    }
}
