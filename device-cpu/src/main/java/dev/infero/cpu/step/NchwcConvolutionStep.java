package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.blocked.Blocked;
import dev.infero.cpu.blocked.NchwcConvolution;
import dev.infero.cpu.kernels.BlockedConv;
import dev.infero.cpu.kernels.BlockedDepthwise;
import dev.infero.cpu.kernels.BlockedLayerWork;
import dev.infero.cpu.kernels.BlockedWinograd;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.parallel.WorkerPool;

/**
 * An {@link NchwcConvolution}: a one-group convolution on {@link BlockedConv} (3×3 stride-1 layers where its cost
 * rule says so on {@link BlockedWinograd}) or a depthwise one on {@link BlockedDepthwise}, writing the blocked output
 * with its post-ops. The layer's items (per image) are claimed by the threads its work pays for; the Winograd
 * strategy's work arrays are per request and thread slot ({@link Scratch}).
 */
public final class NchwcConvolutionStep implements Step<NchwcConvolutionStep.Scratch> {
    private final BlockedConv conv;
    private final BlockedWinograd winograd;
    private final BlockedDepthwise depthwise;
    private final ConvGeometry g;
    private final int inImage;
    private final int outImage;
    private final int items;
    private final long flops;
    private final long bytes;
    private final ExecType execType;
    private final NchwcConvolution op;
    /** Where output element 0 is written in the output array (an in-place Concat input), else 0. */
    private final int outBase;

    private NchwcConvolutionStep(NchwcConvolution op, BlockedConv conv, BlockedWinograd winograd,
                                 BlockedDepthwise depthwise, int outBase) {
        this.op = op;
        this.outBase = outBase;
        this.conv = conv;
        this.winograd = winograd;
        this.depthwise = depthwise;
        this.g = op.geometry();
        this.inImage = op.inputBlocked() ? Blocked.imageSize(g.inChannels(), g.inH(), g.inW())
                : g.inChannels() * g.inH() * g.inW();
        this.outImage = Blocked.imageSize(g.outChannels(), g.outH(), g.outW());
        BlockedLayerWork work = conv != null ? conv : winograd != null ? winograd : depthwise;
        this.items = work.items();
        this.flops = g.batch() * work.flops();
        this.bytes = g.batch() * work.bytes();
        this.execType = ExecType.of(work.execName(), "FP32").with(op.post());
    }

    /** The step of an {@link NchwcConvolution} node, or {@code null} when the blocked kernels do not take it. */
    public static NchwcConvolutionStep of(Node node) {
        if (!(node.op() instanceof NchwcConvolution op)) {
            return null;
        }
        float[] w = op.weights().floats();
        if (op.geometry().groups() == 1) {
            if (BlockedWinograd.suits(op.geometry(), op.post(), op.inputBlocked())) {
                BlockedWinograd k = BlockedWinograd.of(op.geometry(), w, op.post());
                if (k != null) {
                    return new NchwcConvolutionStep(op, null, k, null, 0);
                }
            }
            BlockedConv k = BlockedConv.of(op.geometry(), w, op.post(), op.inputBlocked());
            return k == null ? null : new NchwcConvolutionStep(op, k, null, null, 0);
        }
        BlockedDepthwise k = op.inputBlocked() ? BlockedDepthwise.of(op.geometry(), w, op.post()) : null;
        return k == null ? null : new NchwcConvolutionStep(op, null, null, k, 0);
    }

    /** Writes at {@code offset} of the output array (see {@link Step#writingAt}); not with a residual. */
    @Override
    public NchwcConvolutionStep writingAt(int offset) {
        return op.post().hasResidual() ? null : new NchwcConvolutionStep(op, conv, winograd, depthwise, offset);
    }

    @Override
    public ExecType execType() {
        return execType;
    }

    /** The arrays of the call in progress and the item task that reads them (made once: no allocation per run). */
    public static final class Scratch {
        private float[] in;
        private float[] out;
        private float[] residual;
        private WorkerPool.ItemTask task;
        /** Per thread slot, the Winograd strategy's work arrays (none for the others). */
        private BlockedWinograd.Scratch[] winograd;
    }

    /** The Winograd strategy's V and M for each thread, in the request's transient buffer (none for the others). */
    @Override
    public int transientFloats(int threads) {
        long floats = winograd == null ? 0 : (long) Math.max(1, threads) * winograd.scratchFloats();
        return floats <= Integer.MAX_VALUE / 2 ? (int) floats : 0;
    }

    @Override
    public Scratch newScratch(int threads) {
        return newScratch(threads, null);
    }

    /**
     * The Winograd strategy's work arrays per thread slot are parts of {@code transientBuffer} when it is given and
     * large enough (one buffer serves every step of a request, so consecutive Winograd layers reuse the same, warm
     * memory), else arrays of their own.
     */
    @Override
    public Scratch newScratch(int threads, float[] transientBuffer) {
        Scratch s = new Scratch();
        if (winograd != null) {
            int slots = Math.max(1, threads);
            int per = winograd.scratchFloats();
            boolean shared = transientBuffer != null && (long) slots * per <= transientBuffer.length;
            s.winograd = new BlockedWinograd.Scratch[slots];
            for (int t = 0; t < slots; t++) {
                s.winograd[t] = shared ? winograd.scratchIn(transientBuffer, t * per) : winograd.newScratch();
            }
        }
        s.task = (item, slot) -> {
            int n = item / items;
            int i = item - n * items;
            if (conv != null) {
                conv.runItem(s.in, n * inImage, s.out, outBase + n * outImage, s.residual, i);
            } else if (winograd != null) {
                winograd.runItem(s.in, n * inImage, s.out, outBase + n * outImage, s.residual, i, s.winograd[slot]);
            } else {
                depthwise.runItem(s.in, n * inImage, s.out, outBase + n * outImage, s.residual, i);
            }
        };
        return s;
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Scratch s, WorkerPool pool) {
        s.in = inputs[0].floats();
        s.out = outputs[0].floats();
        s.residual = inputs.length > 1 && inputs[1] != null ? inputs[1].floats() : null;
        try {
            pool.parallelItems(pool.threadsFor(flops, bytes), g.batch() * items, s.task);
        } finally {
            s.in = null;
            s.out = null;
            s.residual = null;
        }
    }
}
