package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;
import jdk.incubator.vector.VectorOperators;

/** Element-wise {@code a + b} with numpy broadcasting (OpenVINO Add-1). */
public final class Add extends BinaryElementwise {
    public static final OpSpec<Add> SPEC = OpSpec.of(Add.class, "Add", "opset1", a -> new Add(), AUTO_BROADCAST);

    @Override
    protected VectorOperators.Binary vectorOp() {
        return VectorOperators.ADD;
    }

    @Override
    protected double apply(double a, double b) {
        return a + b;
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        return a + b;
    }
}
