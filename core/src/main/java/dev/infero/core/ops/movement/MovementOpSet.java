package dev.infero.core.ops.movement;

import dev.infero.core.op.OpFactories;

/** IR factories of the shape and data-movement ops (read what each op's {@code describe} writes). */
public final class MovementOpSet {
    private MovementOpSet() {
    }

    public static void register(OpFactories r) {
        r.registerAll(Squeeze.SPEC, Unsqueeze.SPEC, Transpose.SPEC, Tile.SPEC, Slice.SPEC, VariadicSplit.SPEC,
                Reshape.SPEC, Concat.SPEC, Split.SPEC, Gather.SPEC, Broadcast.SPEC, ShapeOf.V1, ShapeOf.SPEC,
                Range.SPEC, DepthToSpace.SPEC, SpaceToDepth.SPEC);
        Pad.SPEC.register(r, 1); // Pad-1 files read as Pad-12, which only adds negative pads
        Pad.WRAP.register(r);
    }
}
