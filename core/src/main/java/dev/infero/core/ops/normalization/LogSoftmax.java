package dev.infero.core.ops.normalization;

import dev.infero.core.op.OpSpec;

/** LogSoftmax-5: {@code x - log(sum(exp(x)))} along {@code axis} (negative counts from the end). */
public final class LogSoftmax extends AxisSoftmax {
    public static final OpSpec<LogSoftmax> SPEC = OpSpec.of(LogSoftmax.class, "LogSoftmax", "opset5",
            a -> new LogSoftmax(AXIS.read(a)), AXIS);

    public LogSoftmax(long axis) {
        super(axis);
    }

    @Override
    protected boolean logarithmic() {
        return true;
    }
}
