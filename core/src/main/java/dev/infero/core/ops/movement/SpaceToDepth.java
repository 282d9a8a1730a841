package dev.infero.core.ops.movement;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/**
 * SpaceToDepth-1, the inverse of {@link DepthToSpace}: {@code [N, C, D1..DK]} becomes
 * {@code [N, C * bs^K, D1 / bs, ..., DK / bs]}. {@code blocks_first} puts the block offsets in the outer part of the
 * output channel index (ONNX SpaceToDepth), {@code depth_first} in the inner part.
 */
public final class SpaceToDepth extends BlockRearrangement {
    public static final OpSpec<SpaceToDepth> SPEC = OpSpec.of(SpaceToDepth.class, "SpaceToDepth", "opset1",
            a -> new SpaceToDepth(MODE.read(a), (int) (long) BLOCK_SIZE.read(a)), BLOCK_SIZE, MODE);

    public SpaceToDepth(Mode mode, int blockSize) {
        super(mode, blockSize);
    }

    @Override
    protected int[] outputDims(InferContext ctx, PartialShape in, int spatial) {
        int[] out = in.dimsOrDynamic();
        if (!in.isDynamic(1)) {
            out[1] = (int) (in.dim(1) * (long) Math.pow(blockSize, spatial));
        }
        for (int i = 2; i < out.length; i++) {
            if (!in.isDynamic(i)) {
                if (in.dim(i) % blockSize != 0) {
                    throw ctx.error("dimension " + i + " (" + in.dim(i) + ") is not divisible by block_size "
                            + blockSize);
                }
                out[i] = in.dim(i) / blockSize;
            }
        }
        return out;
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        int k = in.rank() - 2;
        // View the input as [N, C, D1', bs, D2', bs, ...] and gather the block offsets next to the channel:
        // [N, bs.., C, D'..] (blocks first) or [N, C, bs.., D'..] (depth first).
        int[] view = new int[2 + 2 * k];
        int[] perm = new int[view.length];
        view[0] = in.dim(0);
        view[1] = in.dim(1);
        int blockAt = blockAt();
        int channelAt = channelAt(k);
        perm[channelAt] = 1;
        for (int i = 0; i < k; i++) {
            view[2 + 2 * i] = in.dim(2 + i) / blockSize;
            view[3 + 2 * i] = blockSize;
            perm[blockAt + i] = 3 + 2 * i;
            perm[2 + k + i] = 2 + 2 * i;
        }
        Transpose.permute(in, view, perm, outputs[0]);
    }
}
