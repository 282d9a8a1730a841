package dev.infero.core.ops.eltwise;

import dev.infero.core.InferoException;
import dev.infero.core.op.Attribute;
import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;
import jdk.incubator.vector.VectorOperators;

/**
 * Element-wise {@code a / b} with numpy broadcasting (OpenVINO Divide-1). Integer division truncates toward zero
 * ({@code m_pythondiv=false}, ONNX semantics); integer division by zero is an error rather than a JVM exception.
 */
public final class Divide extends BinaryElementwise {
    /** Always false (ONNX's truncating integer division), so not read back. */
    private static final Attribute<Divide, Boolean> PYTHON_DIV = Attribute.<Divide>bool("m_pythondiv", d -> false)
            .orElse(false);
    public static final OpSpec<Divide> SPEC = OpSpec.of(Divide.class, "Divide", "opset1", a -> new Divide(), PYTHON_DIV,
            AUTO_BROADCAST);

    @Override
    protected VectorOperators.Binary vectorOp() {
        return VectorOperators.DIV;
    }

    @Override
    protected double apply(double a, double b) {
        return a / b;
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        if (b == 0) {
            throw new InferoException("integer division by zero in Divide");
        }
        return type == ElementType.U64 ? Long.divideUnsigned(a, b) : a / b;
    }
}
