package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;
import jdk.incubator.vector.VectorOperators;

/** Element-wise {@code max(a, b)} with numpy broadcasting (OpenVINO Maximum-1). */
public final class Maximum extends BinaryElementwise {
    public static final OpSpec<Maximum> SPEC = OpSpec.of(Maximum.class, "Maximum", "opset1",
            a -> new Maximum(), AUTO_BROADCAST);

    @Override
    protected VectorOperators.Binary vectorOp() {
        return VectorOperators.MAX;
    }

    @Override
    protected double apply(double a, double b) {
        return Math.max(a, b);
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        // u64 is the only type whose long form is not its value; narrower unsigned types are zero-extended.
        return type == ElementType.U64 ? (Long.compareUnsigned(a, b) >= 0 ? a : b) : Math.max(a, b);
    }
}
