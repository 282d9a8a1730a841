package dev.infero.core.ops.nn;

import dev.infero.core.types.Shapes;

/**
 * For every output position and every kernel tap of a window op, the flattened input position it reads, or -1 where
 * the tap falls in the padding. Built once per evaluation so the reference kernels are plain loops over a table.
 */
final class WindowTable {
    final int outputs;
    final int taps;
    /** [outputs × taps] input spatial index, -1 in padding. */
    final int[] index;
    /** Per output position: taps inside the padded input (what average pooling divides by with pads included). */
    final int[] withinPadding;

    WindowTable(int[] in, int[] kernel, int[] out, WindowGeometry g) {
        int rank = in.length;
        this.outputs = Shapes.size(out);
        this.taps = Shapes.size(kernel);
        this.index = new int[outputs * taps];
        this.withinPadding = new int[outputs];
        int[] inStrides = Shapes.strides(in);
        int[] pb = new int[rank];
        int[] pe = new int[rank];
        for (int d = 0; d < rank; d++) {
            pb[d] = g.padBegin(d, in[d], kernel[d]);
            pe[d] = g.padEnd(d, in[d], kernel[d]);
        }
        int[] o = new int[rank];
        int[] k = new int[rank];
        for (int op = 0; op < outputs; op++) {
            unravel(op, out, o);
            int padded = 0;
            for (int t = 0; t < taps; t++) {
                unravel(t, kernel, k);
                int flat = 0;
                boolean inside = true;
                boolean insidePadded = true;
                for (int d = 0; d < rank; d++) {
                    long pos = (long) o[d] * g.strides()[d] - pb[d] + (long) k[d] * g.dilations()[d];
                    if (pos < 0 || pos >= in[d]) {
                        inside = false;
                    }
                    if (pos < -pb[d] || pos >= in[d] + pe[d]) {
                        insidePadded = false;
                    }
                    flat += (int) pos * inStrides[d];
                }
                index[op * taps + t] = inside ? flat : -1;
                if (insidePadded) {
                    padded++;
                }
            }
            withinPadding[op] = padded;
        }
    }

    private static void unravel(int flat, int[] dims, int[] out) {
        for (int d = dims.length - 1; d >= 0; d--) {
            out[d] = flat % dims[d];
            flat /= dims[d];
        }
    }
}
