package dev.infero.tf;

import dev.infero.core.graph.Value;

/**
 * A TensorFlow tensor as the importer holds it: the Infero value and its layout. TensorFlow keeps images NHWC; Infero's
 * convolution, pooling and normalization ops work on NCHW. Rather than wrapping every such op in a pair of
 * Transposes, the importer lets a 4-D NHWC tensor live as its NCHW transposition ({@code nchw = true}) for as long
 * as the ops reading it can work in either layout (element-wise ops, per-channel ops, axis ops with remapped axes),
 * and transposes back only where an op needs TensorFlow's own order (Reshape, Shape, model outputs, ...).
 *
 * @param value      the Infero value
 * @param nchw       whether {@code value} holds the NCHW transposition of a 4-D TensorFlow NHWC tensor
 * @param priorBoxes whether the tensor is an SSD prior-box tensor ([1, 2, 4·priors]) from OpenCV's PriorBox op
 */
public record TfValue(Value value, boolean nchw, boolean priorBoxes) {
    /** A tensor in TensorFlow's own layout. */
    public static TfValue plain(Value v) {
        return new TfValue(v, false, false);
    }

    /** The NCHW transposition of a 4-D NHWC tensor. */
    public static TfValue transposed(Value v) {
        return new TfValue(v, true, false);
    }

    /** NHWC axis {@code a} (0..3) as an NCHW axis. */
    public static int toNchwAxis(int a) {
        return switch (a) {
            case 0 -> 0;
            case 1 -> 2;
            case 2 -> 3;
            case 3 -> 1;
            default -> throw new IllegalArgumentException("axis " + a);
        };
    }
}
