package dev.infero.core.ops.nn;

import dev.infero.core.op.OpSpec;

/** GroupConvolution-1: weights [G, C_out/G, C_in/G, kernel...]; depthwise when G equals the channel count. */
public final class GroupConvolution extends ConvolutionBase {
    public static final OpSpec<GroupConvolution> SPEC = spec(GroupConvolution.class, "GroupConvolution",
            GroupConvolution::new);

    public GroupConvolution(WindowGeometry window) {
        super(window, WeightsLayout.GROUPED);
    }
}
