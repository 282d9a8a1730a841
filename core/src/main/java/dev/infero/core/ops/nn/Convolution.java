package dev.infero.core.ops.nn;

/** Convolution-1: weights [C_out, C_in, kernel...]. */
public final class Convolution extends ConvolutionBase {
    public Convolution(WindowGeometry window) {
        super(window, WeightsLayout.PLAIN);
    }

    @Override
    public String type() {
        return "Convolution";
    }
}
