package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.blocked.Blocked;
import dev.infero.cpu.blocked.ReorderInput;
import dev.infero.cpu.blocked.ReorderOutput;
import dev.infero.cpu.kernels.BlockedReorder;
import dev.infero.cpu.parallel.WorkerPool;

/**
 * A {@link ReorderInput} (NCHW → blocked) or {@link ReorderOutput} (blocked → NCHW) on {@link BlockedReorder}. A run of
 * whole channel blocks of one image is itself an image in both layouts (16·k consecutive NCHW planes; k consecutive
 * blocked planes), so the items are ranges of blocks.
 */
public final class ReorderStep implements Step<ReorderStep.Scratch> {
    /** Channel blocks per item: 16 blocks of a 56×56 plane are 3 MiB each way. */
    private static final int BLOCKS_PER_ITEM = 4;
    private final boolean toBlocked;
    private final int batch;
    private final int channels;
    private final int h;
    private final int w;
    private final int blocks;
    private final int itemsPerImage;
    private final ExecType execType;

    private ReorderStep(boolean toBlocked, int[] nchw) {
        this.toBlocked = toBlocked;
        this.batch = nchw[0];
        this.channels = nchw[1];
        this.h = nchw[2];
        this.w = nchw[3];
        this.blocks = Blocked.blocks(channels);
        this.itemsPerImage = (blocks + BLOCKS_PER_ITEM - 1) / BLOCKS_PER_ITEM;
        this.execType = ExecType.of(toBlocked ? "reorder_to_nChw16c" : "reorder_to_nchw", "FP32");
    }

    /** The step of a reorder node, or {@code null}. */
    public static ReorderStep of(Node node) {
        if (node.op() instanceof ReorderInput) {
            return new ReorderStep(true, node.input(0).shape().toArray());
        }
        if (node.op() instanceof ReorderOutput) {
            return new ReorderStep(false, node.output(0).shape().toArray());
        }
        return null;
    }

    @Override
    public ExecType execType() {
        return execType;
    }

    /** The arrays of the call in progress and the item task that reads them. */
    public static final class Scratch {
        private float[] src;
        private float[] dst;
        private WorkerPool.ItemTask task;
    }

    @Override
    public Scratch newScratch(int threads) {
        Scratch s = new Scratch();
        s.task = (item, slot) -> {
            int n = item / itemsPerImage;
            int b0 = (item - n * itemsPerImage) * BLOCKS_PER_ITEM;
            int b1 = Math.min(blocks, b0 + BLOCKS_PER_ITEM);
            int plane = h * w;
            int c = Math.min(channels, b1 * Blocked.BLOCK) - b0 * Blocked.BLOCK;
            int nchw = (n * channels + b0 * Blocked.BLOCK) * plane;
            int blocked = (n * blocks + b0) * plane * Blocked.BLOCK;
            if (toBlocked) {
                BlockedReorder.toBlocked(s.src, nchw, s.dst, blocked, c, h, w);
            } else {
                BlockedReorder.fromBlocked(s.src, blocked, s.dst, nchw, c, h, w);
            }
        };
        return s;
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Scratch s, WorkerPool pool) {
        s.src = inputs[0].floats();
        s.dst = outputs[0].floats();
        long bytes = 8L * batch * blocks * Blocked.BLOCK * h * w;
        try {
            pool.parallelItems(pool.threadsFor(0, bytes), batch * itemsPerImage, s.task);
        } finally {
            s.src = null;
            s.dst = null;
        }
    }
}
