package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.blocked.Blocked;
import dev.infero.cpu.blocked.NchwcPooling;
import dev.infero.cpu.kernels.BlockedPool;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.parallel.WorkerPool;

/** An {@link NchwcPooling} on {@link BlockedPool}: max or average pooling of a blocked tensor. */
public final class NchwcPoolingStep implements Step<NchwcPoolingStep.Scratch> {
    private final BlockedPool pool;
    private final ConvGeometry g;
    private final int inImage;
    private final int outImage;
    private final int items;
    private final ExecType execType;
    private final NchwcPooling op;
    /** Where output element 0 is written in the output array (an in-place Concat input), else 0. */
    private final int outBase;

    private NchwcPoolingStep(NchwcPooling op, BlockedPool pool, int outBase) {
        this.op = op;
        this.outBase = outBase;
        this.pool = pool;
        this.g = op.geometry();
        this.inImage = Blocked.imageSize(g.inChannels(), g.inH(), g.inW());
        this.outImage = Blocked.imageSize(g.outChannels(), g.outH(), g.outW());
        this.items = pool.items();
        this.execType = ExecType.of((op.isMax() ? "blocked_max_pool_" : "blocked_avg_pool_") + pool.implementation(),
                "FP32");
    }

    /** The step of an {@link NchwcPooling} node, or {@code null}. */
    public static NchwcPoolingStep of(Node node) {
        if (!(node.op() instanceof NchwcPooling op)) {
            return null;
        }
        BlockedPool k = op.isMax() ? BlockedPool.max(op.geometry())
                : BlockedPool.average(op.geometry(), op.excludePad(), op.padBottom(), op.padRight());
        return k == null ? null : new NchwcPoolingStep(op, k, 0);
    }

    /** Writes at {@code offset} of the output array (see {@link Step#writingAt}). */
    @Override
    public NchwcPoolingStep writingAt(int offset) {
        return new NchwcPoolingStep(op, pool, offset);
    }

    @Override
    public ExecType execType() {
        return execType;
    }

    /** The arrays of the call in progress and the item task that reads them. */
    public static final class Scratch {
        private float[] in;
        private float[] out;
        private WorkerPool.ItemTask task;
    }

    @Override
    public Scratch newScratch(int threads) {
        Scratch s = new Scratch();
        s.task = (item, slot) -> {
            int n = item / items;
            pool.runItem(s.in, n * inImage, s.out, outBase + n * outImage, item - n * items);
        };
        return s;
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Scratch s, WorkerPool workers) {
        s.in = inputs[0].floats();
        s.out = outputs[0].floats();
        try {
            workers.parallelItems(workers.threadsFor(g.batch() * pool.flops(), g.batch() * pool.bytes()),
                    g.batch() * items, s.task);
        } finally {
            s.in = null;
            s.out = null;
        }
    }
}
