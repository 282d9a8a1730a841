package dev.infero.core.ops.movement;

import dev.infero.core.op.OpFactories;

/** IR factories of the shape and data-movement ops (read what each op's {@code describe} writes). */
public final class MovementOpSet {
    private MovementOpSet() {
    }

    public static void register(OpFactories r) {
        r.registerSimple(Squeeze::new, Unsqueeze::new, Transpose::new, Tile::new, Slice::new,
                VariadicSplit::new);
        r.register("Reshape", 1, a -> new Reshape(a.bool("special_zero", false)));
        r.register("Concat", 1, a -> new Concat(a.integer("axis")));
        r.register("Split", 1, a -> new Split((int) a.integer("num_splits")));
        r.register("Gather", 8, a -> new Gather(a.integer("batch_dims", 0)));
        r.register("Broadcast", 3, a -> new Broadcast(a.enumValue(Broadcast.Mode.class, "mode", "numpy")));
        r.register("ShapeOf", 1, a -> new ShapeOf(dev.infero.core.types.ElementType.I64));
        r.register("ShapeOf", 3, a -> new ShapeOf(a.elementType("output_type")));
        r.register("Range", 4, a -> new Range(a.elementType("output_type")));
        r.register("DepthToSpace", 1, a -> new DepthToSpace(
                a.enumValue(DepthToSpace.Mode.class, "mode", "blocks_first"), (int) a.integer("block_size")));
        r.register("SpaceToDepth", 1, a -> new SpaceToDepth(
                a.enumValue(DepthToSpace.Mode.class, "mode", "blocks_first"), (int) a.integer("block_size")));
        r.register("Pad", 1, a -> new Pad(a.enumValue(Pad.Mode.class, "pad_mode", "constant")));
        r.register("Pad", OpFactories.INFERO_OPSET, a -> new Pad(a.enumValue(Pad.Mode.class, "pad_mode", "wrap")));
    }
}
