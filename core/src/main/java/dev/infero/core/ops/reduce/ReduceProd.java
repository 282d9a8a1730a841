package dev.infero.core.ops.reduce;

/** ReduceProd-1: Product of the elements along the axes. */
public final class ReduceProd extends Reduction {
    public ReduceProd(boolean keepDims) {
        super(keepDims, Combine.PRODUCT, Mapping.NONE);
    }

    @Override
    public String type() {
        return "ReduceProd";
    }
}
