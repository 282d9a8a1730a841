package dev.infero.core.ops.nn;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;

/**
 * AvgPool-1: the mean of each window. With {@code exclude-pad} the mean is over the input values the window covers;
 * without it, over every position inside the padded input (positions beyond it, which ceil rounding can create,
 * never count). Dilated windows (ONNX AveragePool-19) are an Infero extension: OpenVINO's AvgPool has no
 * {@code dilations}, so the IR carries that attribute only when a dilation is not 1.
 */
public final class AvgPool extends Pooling {
    private static final Attribute<AvgPool, Boolean> EXCLUDE_PAD = Attribute.bool("exclude-pad", AvgPool::excludePad)
            .orElse(false);
    public static final OpSpec<AvgPool> SPEC = OpSpec.of(AvgPool.class, "AvgPool", "opset1",
            a -> new AvgPool(KERNEL.read(a), WINDOW.read(a, true), EXCLUDE_PAD.read(a)), WINDOW.strides,
            WINDOW.padsBegin, WINDOW.padsEnd, KERNEL, WINDOW.roundingType, WINDOW.autoPad, EXCLUDE_PAD,
            WINDOW.dilations.writtenWhen(p -> p.window().isDilated()));

    private final boolean excludePad;

    public AvgPool(long[] kernel, WindowGeometry window, boolean excludePad) {
        super(kernel, window);
        this.excludePad = excludePad;
    }

    /** Whether the mean is over the covered input values only ({@code exclude-pad}). */
    public boolean excludePad() {
        return excludePad;
    }

    @Override
    public void infer(InferContext ctx) {
        ctx.setOutput(0, ctx.inputType(0), outputShape(ctx));
    }

    /** The mean of the covered values, over their count (exclude-pad) or over the window inside the padding. */
    @Override
    protected void pool(double[] values, int[] positions, int n, int withinPadding, Tensor[] outputs, int at) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += values[i];
        }
        int divisor = excludePad ? n : withinPadding;
        outputs[0].setDouble(at, divisor == 0 ? 0 : sum / divisor);
    }
}
