package dev.infero.core.ops.nn;

/** GroupConvolutionBackpropData-1: weights [G, C_in / G, C_out / G, kernel...]. */
public final class GroupConvolutionBackpropData extends BackpropConvolutionBase {
    public GroupConvolutionBackpropData(WindowGeometry window, long[] outputPadding) {
        super(window, outputPadding, WeightsLayout.GROUPED);
    }

    @Override
    public String type() {
        return "GroupConvolutionBackpropData";
    }
}
