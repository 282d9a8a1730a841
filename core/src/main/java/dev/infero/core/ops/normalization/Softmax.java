package dev.infero.core.ops.normalization;

import dev.infero.core.op.OpSpec;

/** SoftMax-8: {@code exp(x) / sum(exp(x))} along {@code axis} (negative counts from the end). */
public final class Softmax extends AxisSoftmax {
    public static final OpSpec<Softmax> SPEC = OpSpec.of(Softmax.class, "SoftMax", "opset8",
            a -> new Softmax(AXIS.read(a)), AXIS);

    public Softmax(long axis) {
        super(axis);
    }

    @Override
    protected boolean logarithmic() {
        return false;
    }
}
