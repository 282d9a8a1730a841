package dev.infero.core.ops.selection;

import dev.infero.core.InferoException;
import dev.infero.core.op.InferContext;

/** Index rules shared by the gather and scatter ops: the scatter input rule and index normalisation. */
final class Indices {
    private Indices() {
    }

    /** The input rule of the scatter ops: integer indices (input 1), updates (input 2) of the data's type. */
    static void checkScatterInputs(InferContext ctx) {
        if (ctx.inputType(2) != ctx.inputType(0)) {
            throw ctx.error("updates (" + ctx.inputType(2) + ") must have the type of data (" + ctx.inputType(0) + ")");
        }
        ctx.requireInteger(1, "indices");
    }

    /** Maps index {@code i} (negative counts from the end) into [0, size), or fails naming what it indexes. */
    static int normalize(long i, int size, String what) {
        long n = i < 0 ? i + size : i;
        if (n < 0 || n >= size) {
            throw new InferoException("index " + i + " is out of range for " + what + " of size " + size);
        }
        return (int) n;
    }
}
