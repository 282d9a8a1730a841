package dev.infero.core.ops.movement;

import dev.infero.core.op.OpFactories;

/** IR factories of the shape and data-movement ops (read what each op's {@code describe} writes). */
public final class MovementOpSet {
    private MovementOpSet() {
    }

    public static void register(OpFactories r) {
        Squeeze.SPEC.register(r);
        Unsqueeze.SPEC.register(r);
        Transpose.SPEC.register(r);
        Tile.SPEC.register(r);
        Slice.SPEC.register(r);
        VariadicSplit.SPEC.register(r);
        Reshape.SPEC.register(r);
        Concat.SPEC.register(r);
        Split.SPEC.register(r);
        Gather.SPEC.register(r);
        Broadcast.SPEC.register(r);
        ShapeOf.V1.register(r);
        ShapeOf.SPEC.register(r);
        Range.SPEC.register(r);
        DepthToSpace.SPEC.register(r);
        SpaceToDepth.SPEC.register(r);
        Pad.SPEC.register(r, 1); // Pad-1 files read as Pad-12, which only adds negative pads
        Pad.WRAP.register(r);
    }
}
