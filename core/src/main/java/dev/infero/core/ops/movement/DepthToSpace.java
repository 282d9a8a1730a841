package dev.infero.core.ops.movement;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/**
 * DepthToSpace-1: moves blocks of {@code block_size^K} channels of an {@code [N, C, D1..DK]} input into the spatial
 * dimensions, giving {@code [N, C / bs^K, D1 * bs, ..., DK * bs]}. {@code blocks_first} (ONNX "DCR") takes the block
 * offsets from the outer part of the channel index, {@code depth_first} (ONNX "CRD") from the inner part.
 */
public final class DepthToSpace extends BlockRearrangement {
    public static final OpSpec<DepthToSpace> SPEC = OpSpec.of(DepthToSpace.class, "DepthToSpace", "opset1",
            a -> new DepthToSpace(MODE.read(a), (int) (long) BLOCK_SIZE.read(a)), BLOCK_SIZE, MODE);

    public DepthToSpace(Mode mode, int blockSize) {
        super(mode, blockSize);
    }

    @Override
    protected int[] outputDims(InferContext ctx, PartialShape in, int spatial) {
        long blocks = (long) Math.pow(blockSize, spatial);
        int[] out = in.dimsOrDynamic();
        if (!in.isDynamic(1)) {
            if (in.dim(1) % blocks != 0) {
                throw ctx.error("channels " + in.dim(1) + " are not divisible by block_size^" + spatial + " = "
                        + blocks);
            }
            out[1] = (int) (in.dim(1) / blocks);
        }
        for (int i = 2; i < out.length; i++) {
            out[i] = in.isDynamic(i) ? PartialShape.DYNAMIC : in.dim(i) * blockSize;
        }
        return out;
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        int k = in.rank() - 2;
        int channels = outputs[0].dim(1);
        // View the input as [N, bs.., C', D..] (blocks first) or [N, C', bs.., D..] (depth first), then interleave
        // each block offset after its spatial dimension: [N, C', D1, bs, D2, bs, ...].
        int[] view = new int[2 + 2 * k];
        int[] perm = new int[view.length];
        view[0] = in.dim(0);
        int blockAt = blockAt();
        int channelAt = channelAt(k);
        view[channelAt] = channels;
        for (int i = 0; i < k; i++) {
            view[blockAt + i] = blockSize;
            view[2 + k + i] = in.dim(2 + i);
            perm[2 + 2 * i] = 2 + k + i;
            perm[3 + 2 * i] = blockAt + i;
        }
        perm[1] = channelAt;
        Transpose.permute(in, view, perm, outputs[0]);
    }
}
