package dev.infero.core.ops.logical;

/**
 * Element-wise {@code a >= b} (greater than or equal) with numpy broadcasting and boolean output
 * (OpenVINO GreaterEqual-1).
 */
public final class GreaterEqual extends Comparison {
    @Override
    public String type() {
        return "GreaterEqual";
    }

    @Override
    protected boolean test(double a, double b) {
        return a >= b;
    }

    @Override
    protected boolean holds(int order) {
        return order >= 0;
    }
}
