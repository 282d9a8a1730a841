package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;
import jdk.incubator.vector.VectorOperators;

/** Element-wise {@code a - b} with numpy broadcasting (OpenVINO Subtract-1). */
public final class Subtract extends BinaryElementwise {
    public static final OpSpec<Subtract> SPEC = OpSpec.of(Subtract.class, "Subtract", "opset1",
            a -> new Subtract(), AUTO_BROADCAST);

    @Override
    protected VectorOperators.Binary vectorOp() {
        return VectorOperators.SUB;
    }

    @Override
    protected double apply(double a, double b) {
        return a - b;
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        return a - b;
    }
}
