package dev.infero.core.ops.logical;

/** Element-wise {@code a < b} (less than) with numpy broadcasting and boolean output (OpenVINO Less-1). */
public final class Less extends Comparison {
    @Override
    public String type() {
        return "Less";
    }

    @Override
    protected boolean test(double a, double b) {
        return a < b;
    }

    @Override
    protected boolean holds(int order) {
        return order < 0;
    }
}
