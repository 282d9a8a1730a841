package dev.infero.core.ops.logical;

/** Element-wise {@code a != b} (not equal) with numpy broadcasting and boolean output (OpenVINO NotEqual-1). */
public final class NotEqual extends Comparison {
    @Override
    public String type() {
        return "NotEqual";
    }

    @Override
    protected boolean test(double a, double b) {
        return a != b;
    }

    @Override
    protected boolean holds(int order) {
        return order != 0;
    }
}
