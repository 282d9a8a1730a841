package dev.infero.core.ops.reduce;

/** ReduceL1-4: the sum of absolute values along the axes. */
public final class ReduceL1 extends Reduction {
    public ReduceL1(boolean keepDims) {
        super(keepDims, Combine.SUM, Mapping.ABS);
    }

    @Override
    public String type() {
        return "ReduceL1";
    }

    @Override
    public String version() {
        return "opset4";
    }
}
