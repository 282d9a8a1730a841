package dev.infero.core.ops.nn;

import dev.infero.core.op.OpSpec;

/** Convolution-1: weights [C_out, C_in, kernel...]. */
public final class Convolution extends ConvolutionBase {
    public static final OpSpec<Convolution> SPEC = spec(Convolution.class, "Convolution", Convolution::new);

    public Convolution(WindowGeometry window) {
        super(window, WeightsLayout.PLAIN);
    }
}
