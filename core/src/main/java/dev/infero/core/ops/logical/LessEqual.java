package dev.infero.core.ops.logical;

/**
 * Element-wise {@code a <= b} (less than or equal) with numpy broadcasting and boolean output
 * (OpenVINO LessEqual-1).
 */
public final class LessEqual extends Comparison {
    @Override
    public String type() {
        return "LessEqual";
    }

    @Override
    protected boolean test(double a, double b) {
        return a <= b;
    }

    @Override
    protected boolean holds(int order) {
        return order <= 0;
    }
}
