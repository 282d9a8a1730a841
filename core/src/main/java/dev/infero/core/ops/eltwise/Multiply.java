package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;
import jdk.incubator.vector.VectorOperators;

/** Element-wise {@code a * b} with numpy broadcasting (OpenVINO Multiply-1). */
public final class Multiply extends BinaryElementwise {
    public static final OpSpec<Multiply> SPEC = OpSpec.of(Multiply.class, "Multiply", "opset1",
            a -> new Multiply(), AUTO_BROADCAST);

    @Override
    protected VectorOperators.Binary vectorOp() {
        return VectorOperators.MUL;
    }

    @Override
    protected double apply(double a, double b) {
        return a * b;
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        return a * b;
    }
}
