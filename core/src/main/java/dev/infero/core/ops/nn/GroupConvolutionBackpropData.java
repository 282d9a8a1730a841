package dev.infero.core.ops.nn;

import dev.infero.core.op.OpSpec;

/** GroupConvolutionBackpropData-1: weights [G, C_in / G, C_out / G, kernel...]. */
public final class GroupConvolutionBackpropData extends BackpropConvolutionBase {
    public static final OpSpec<GroupConvolutionBackpropData> SPEC = spec(GroupConvolutionBackpropData.class,
            "GroupConvolutionBackpropData", GroupConvolutionBackpropData::new);

    public GroupConvolutionBackpropData(WindowGeometry window, long[] outputPadding) {
        super(window, outputPadding, WeightsLayout.GROUPED);
    }
}
