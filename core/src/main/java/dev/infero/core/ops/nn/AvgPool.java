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
    public OpSpec<AvgPool> spec() {
        return SPEC;
    }

    @Override
    public void infer(InferContext ctx) {
        ctx.setOutput(0, ctx.inputType(0), outputShape(ctx));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        WindowTable table = table(x.shape(), y.shape());
        int planes = x.shape()[0] * x.shape()[1];
        int inPlane = x.size() / Math.max(planes, 1);
        float[] xf = x.toFloatArray();
        for (int p = 0; p < planes; p++) {
            int base = p * inPlane;
            for (int o = 0; o < table.outputs; o++) {
                double sum = 0;
                int count = 0;
                for (int t = 0; t < table.taps; t++) {
                    int idx = table.index[o * table.taps + t];
                    if (idx >= 0) {
                        sum += xf[base + idx];
                        count++;
                    }
                }
                int divisor = excludePad ? count : table.withinPadding[o];
                y.setDouble(p * table.outputs + o, divisor == 0 ? 0 : sum / divisor);
            }
        }
    }
}
