package dev.infero.core.ops.normalization;

/** LogSoftmax-5: {@code x - log(sum(exp(x)))} along {@code axis} (negative counts from the end). */
public final class LogSoftmax extends AxisSoftmax {
    public LogSoftmax(long axis) {
        super(axis);
    }

    @Override
    public String type() {
        return "LogSoftmax";
    }

    @Override
    public String version() {
        return "opset5";
    }

    @Override
    protected boolean logarithmic() {
        return true;
    }
}
