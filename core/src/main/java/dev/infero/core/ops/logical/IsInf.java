package dev.infero.core.ops.logical;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.UnaryElementwise;
import dev.infero.core.types.ElementType;

/**
 * Element-wise test for infinity of a floating tensor, giving booleans (OpenVINO IsInf-10); {@code detect_negative}
 * and {@code detect_positive} choose which infinities count.
 */
public final class IsInf extends UnaryElementwise {
    private static final Attribute<IsInf, Boolean> DETECT_NEGATIVE = Attribute.bool("detect_negative",
            (IsInf op) -> op.detectNegative).orElse(true);
    private static final Attribute<IsInf, Boolean> DETECT_POSITIVE = Attribute.bool("detect_positive",
            (IsInf op) -> op.detectPositive).orElse(true);
    public static final OpSpec<IsInf> SPEC = OpSpec.of(IsInf.class, "IsInf", "opset10",
            a -> new IsInf(DETECT_NEGATIVE.read(a), DETECT_POSITIVE.read(a)), DETECT_NEGATIVE, DETECT_POSITIVE);

    private final boolean detectNegative;
    private final boolean detectPositive;

    public IsInf(boolean detectNegative, boolean detectPositive) {
        this.detectNegative = detectNegative;
        this.detectPositive = detectPositive;
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
