package dev.infero.core.ops.logical;

/** Element-wise {@code a == b} (equal) with numpy broadcasting and boolean output (OpenVINO Equal-1). */
public final class Equal extends Comparison {
    @Override
    public String type() {
        return "Equal";
    }

    @Override
    protected boolean test(double a, double b) {
        return a == b;
    }

    @Override
    protected boolean holds(int order) {
        return order == 0;
    }
}
