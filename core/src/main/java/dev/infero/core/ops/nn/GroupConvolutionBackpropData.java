package dev.infero.core.ops.nn;

/** GroupConvolutionBackpropData-1: weights [G, C_in / G, C_out / G, kernel...]. */
public final class GroupConvolutionBackpropData extends BackpropConvolutionBase {
    public GroupConvolutionBackpropData(WindowGeometry window, long[] outputPadding) {
        super(window, outputPadding);
    }

    @Override
    public String type() {
        return "GroupConvolutionBackpropData";
    }

    @Override
    protected int groups(int[] weights) {
        return weights[0];
    }

    @Override
    protected int kernelStart() {
        return 3;
    }
}
