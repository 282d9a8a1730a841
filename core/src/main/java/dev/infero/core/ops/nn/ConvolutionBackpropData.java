package dev.infero.core.ops.nn;

/** ConvolutionBackpropData-1 (transposed convolution): weights [C_in, C_out, kernel...]. */
public final class ConvolutionBackpropData extends BackpropConvolutionBase {
    public ConvolutionBackpropData(WindowGeometry window, long[] outputPadding) {
        super(window, outputPadding, WeightsLayout.PLAIN);
    }

    @Override
    public String type() {
        return "ConvolutionBackpropData";
    }
}
