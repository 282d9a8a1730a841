package dev.infero.core.ops.selection;

import dev.infero.core.types.Shapes;

/**
 * A row-major shape seen as {@code [outer, axisSize, inner]} around one axis: element {@code (o, a, i)} sits at
 * {@code (o * axisSize + a) * inner + i}. Ops that work along one axis (top-k, cumulative sum, arg-max) walk their
 * lines with it.
 */
record AxisSlices(int outer, int axisSize, int inner) {
    static AxisSlices of(int[] shape, int axis) {
        return new AxisSlices(Shapes.product(shape, 0, axis), shape[axis], Shapes.product(shape, axis + 1, shape.length));
    }

    /** Number of lines along the axis. */
    int lines() {
        return outer * inner;
    }

    /** Flat index of the first element of line {@code line} (lines numbered outer-major). */
    int start(int line) {
        return (line / inner) * axisSize * inner + line % inner;
    }

    /** Flat index of element {@code a} of the line starting at {@code start}. */
    int at(int start, int a) {
        return start + a * inner;
    }
}
