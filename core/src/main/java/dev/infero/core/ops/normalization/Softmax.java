package dev.infero.core.ops.normalization;

/** SoftMax-8: {@code exp(x) / sum(exp(x))} along {@code axis} (negative counts from the end). */
public final class Softmax extends AxisSoftmax {
    public Softmax(long axis) {
        super(axis);
    }

    @Override
    public String type() {
        return "SoftMax";
    }

    @Override
    public String version() {
        return "opset8";
    }

    @Override
    protected boolean logarithmic() {
        return false;
    }
}
