package dev.infero.core.ops.movement;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.types.PartialShape;
import java.util.Locale;

/**
 * DepthToSpace and SpaceToDepth, inverse rearrangements of [N, C, D1..DK] data by square blocks: both carry a block
 * size and a mode saying where the block offsets sit in the channel index, and both need a batch, a channel and at
 * least one spatial dimension.
 */
public abstract class BlockRearrangement extends Op {
    /** How the channel index splits into block offsets and channel: block offsets outermost, or innermost. */
    public enum Mode {
        BLOCKS_FIRST, DEPTH_FIRST;

        public String irName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The attributes of both, in IR order: the block's side, and how the channel index splits. */
    protected static final Attribute<BlockRearrangement, Long> BLOCK_SIZE = Attribute.integer("block_size",
            (BlockRearrangement op) -> (long) op.blockSize);
    protected static final Attribute<BlockRearrangement, Mode> MODE = Attribute.enumValue("mode", Mode.class,
            (BlockRearrangement op) -> op.mode).orElse(Mode.BLOCKS_FIRST);

    protected final Mode mode;
    protected final int blockSize;

    protected BlockRearrangement(Mode mode, int blockSize) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("block_size must be positive, got " + blockSize);
        }
        this.mode = mode;
        this.blockSize = blockSize;
    }

    /**
     * Checks the input (rank unknown: unknown output; otherwise rank 3 or more) and sets the output shape that
     * {@link #outputDims} gives for it.
     */
    @Override
    public final void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        if (ctx.unknownRankPassedOn()) {
            return;
        }
        if (in.rank() < 3) {
            throw ctx.error("input must have rank 3 or more, got " + in);
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(outputDims(ctx, in, in.rank() - 2)));
    }

    /** The output dimensions for an input of known rank with {@code spatial} spatial dimensions. */
    protected abstract int[] outputDims(InferContext ctx, PartialShape in, int spatial);

    /** Index of the first block offset in the channel-side view: right after N (blocks first) or after C. */
    protected int blockAt() {
        return mode == Mode.BLOCKS_FIRST ? 1 : 2;
    }

    /** Index of the channel in that view, before or after its {@code k} block offsets. */
    protected int channelAt(int k) {
        return mode == Mode.BLOCKS_FIRST ? 1 + k : 1;
    }
}
