package dev.infero.core.ops.movement;

import dev.infero.core.op.OpRegistry;

/** IR factories of the shape and data-movement ops (read what each op's {@code describe} writes). */
public final class MovementOpSet {
    private MovementOpSet() {
    }

    public static void register() {
        OpRegistry.registerSimple(Squeeze::new, Unsqueeze::new, Transpose::new, Tile::new, Slice::new,
                VariadicSplit::new);
        OpRegistry.register("Reshape", 1, a -> new Reshape(a.bool("special_zero", false)));
        OpRegistry.register("Concat", 1, a -> new Concat(a.integer("axis")));
        OpRegistry.register("Split", 1, a -> new Split((int) a.integer("num_splits")));
        OpRegistry.register("Gather", 8, a -> new Gather(a.integer("batch_dims", 0)));
        OpRegistry.register("Broadcast", 3, a -> new Broadcast(a.enumValue(Broadcast.Mode.class, "mode", "numpy")));
        OpRegistry.register("ShapeOf", 1, a -> new ShapeOf(dev.infero.core.types.ElementType.I64));
        OpRegistry.register("ShapeOf", 3, a -> new ShapeOf(a.elementType("output_type")));
        OpRegistry.register("Range", 4, a -> new Range(a.elementType("output_type")));
        OpRegistry.register("DepthToSpace", 1, a -> new DepthToSpace(
                a.enumValue(DepthToSpace.Mode.class, "mode", "blocks_first"), (int) a.integer("block_size")));
        OpRegistry.register("SpaceToDepth", 1, a -> new SpaceToDepth(
                a.enumValue(DepthToSpace.Mode.class, "mode", "blocks_first"), (int) a.integer("block_size")));
        OpRegistry.register("Pad", 1, a -> new Pad(a.enumValue(Pad.Mode.class, "pad_mode", "constant")));
        OpRegistry.register("Pad", OpRegistry.INFERO_OPSET, a -> new Pad(a.enumValue(Pad.Mode.class, "pad_mode", "wrap")));
    }
}
