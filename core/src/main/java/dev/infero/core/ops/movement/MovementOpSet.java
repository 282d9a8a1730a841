package dev.infero.core.ops.movement;

import dev.infero.core.op.OpFactories;

/** IR factories of the shape and data-movement ops (read what each op's {@code describe} writes). */
public final class MovementOpSet {
    private MovementOpSet() {
    }

    public static void register(OpFactories r) {
        r.registerSimple(Squeeze::new, Unsqueeze::new, Transpose::new, Tile::new, Slice::new,
                VariadicSplit::new);
        Reshape.SPEC.register(r);
        Concat.SPEC.register(r);
        Split.SPEC.register(r);
        Gather.SPEC.register(r);
        Broadcast.SPEC.register(r);
        r.register("ShapeOf", 1, a -> new ShapeOf(dev.infero.core.types.ElementType.I64)); // ShapeOf-1: always i64
        ShapeOf.SPEC.register(r);
        Range.SPEC.register(r);
        DepthToSpace.SPEC.register(r);
        SpaceToDepth.SPEC.register(r);
        r.register("Pad", 1, a -> new Pad(a.enumValue(Pad.Mode.class, "pad_mode", "constant")));
        r.register("Pad", OpFactories.INFERO_OPSET, a -> new Pad(a.enumValue(Pad.Mode.class, "pad_mode", "wrap")));
    }
}
