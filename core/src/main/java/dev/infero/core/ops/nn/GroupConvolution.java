package dev.infero.core.ops.nn;

/** GroupConvolution-1: weights [G, C_out/G, C_in/G, kernel...]; depthwise when G equals the channel count. */
public final class GroupConvolution extends ConvolutionBase {
    public GroupConvolution(WindowGeometry window) {
        super(window, WeightsLayout.GROUPED);
    }

    @Override
    public String type() {
        return "GroupConvolution";
    }
}
