package dev.infero.core.ops.logical;

import dev.infero.core.op.AttributeSink;
import dev.infero.core.ops.eltwise.UnaryElementwise;
import dev.infero.core.types.ElementType;

/**
 * Element-wise test for infinity of a floating tensor, giving booleans (OpenVINO IsInf-10); {@code detect_negative}
 * and {@code detect_positive} choose which infinities count.
 */
public final class IsInf extends UnaryElementwise {
    private final boolean detectNegative;
    private final boolean detectPositive;

    public IsInf(boolean detectNegative, boolean detectPositive) {
        this.detectNegative = detectNegative;
        this.detectPositive = detectPositive;
    }

    @Override
    public String type() {
        return "IsInf";
    }

    @Override
    public String version() {
        return "opset10";
    }

    @Override
    public void describe(AttributeSink sink) {
        sink.attribute("detect_negative", detectNegative);
        sink.attribute("detect_positive", detectPositive);
    }

    @Override
    protected ElementType outputType(ElementType in) {
        return ElementType.BOOLEAN;
    }

    @Override
    protected double apply(double x) {
        boolean hit = x == Double.POSITIVE_INFINITY && detectPositive
                || x == Double.NEGATIVE_INFINITY && detectNegative;
        return hit ? 1 : 0;
    }
}
