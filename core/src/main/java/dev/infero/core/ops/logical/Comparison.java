package dev.infero.core.ops.logical;

import dev.infero.core.ops.eltwise.BinaryElementwise;
import dev.infero.core.types.ElementType;

/**
 * Element-wise comparisons with numpy broadcasting and a boolean output. Floating comparisons follow IEEE 754 (every
 * comparison with NaN is false except "not equal"); integers compare by value, u64 as unsigned.
 */
public abstract class Comparison extends BinaryElementwise {
    /** The comparison of two floating values. */
    protected abstract boolean test(double a, double b);

    /** Whether the comparison holds given the sign of {@code compare(a, b)} for integers. */
    protected abstract boolean holds(int order);

    @Override
    protected final ElementType outputType(ElementType in) {
        return ElementType.BOOLEAN;
    }

    @Override
    protected final double apply(double a, double b) {
        return test(a, b) ? 1 : 0;
    }

    @Override
    protected final long apply(long a, long b, ElementType type) {
        return holds(type == ElementType.U64 ? Long.compareUnsigned(a, b) : Long.compare(a, b)) ? 1 : 0;
    }
}
