package dev.infero.core.ops.logical;

/** Element-wise {@code a > b} (greater than) with numpy broadcasting and boolean output (OpenVINO Greater-1). */
public final class Greater extends Comparison {
    @Override
    public String type() {
        return "Greater";
    }

    @Override
    protected boolean test(double a, double b) {
        return a > b;
    }

    @Override
    protected boolean holds(int order) {
        return order > 0;
    }
}
