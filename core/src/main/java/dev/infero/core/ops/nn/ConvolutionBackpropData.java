package dev.infero.core.ops.nn;

import dev.infero.core.op.OpSpec;

/** ConvolutionBackpropData-1 (transposed convolution): weights [C_in, C_out, kernel...]. */
public final class ConvolutionBackpropData extends BackpropConvolutionBase {
    public static final OpSpec<ConvolutionBackpropData> SPEC = spec(ConvolutionBackpropData.class,
            "ConvolutionBackpropData", ConvolutionBackpropData::new);

    public ConvolutionBackpropData(WindowGeometry window, long[] outputPadding) {
        super(window, outputPadding, WeightsLayout.PLAIN);
    }
}
