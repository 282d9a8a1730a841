package dev.infero.core.ops.nn;

/**
 * How the weights of a (transposed) convolution are laid out, the one thing that tells the grouped ops from the plain
 * ones: plain weights are {@code [C_a, C_b, kernel...]}, grouped ones {@code [G, C_a/G, C_b/G, kernel...]}.
 */
enum WeightsLayout {
    PLAIN,
    GROUPED;

    /** Number of groups given weights of this shape. */
    int groups(int[] weights) {
        return this == GROUPED ? weights[0] : 1;
    }

    /** Index of the first kernel dimension in the weights shape (the channels per group come just before). */
    int kernelStart() {
        return this == GROUPED ? 3 : 2;
    }
}
