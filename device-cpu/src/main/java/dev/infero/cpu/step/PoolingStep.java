package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.Pooling;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.WindowKernel;
import dev.infero.cpu.parallel.WorkerPool;

/**
 * 2-D f32 MaxPool (values only) and AvgPool over static NCHW shapes, on the window kernel: generated code
 * ({@code max_pool_jit_avx512_FP32}) where the JIT is on and covers the shape, else the Vector API loops
 * ({@code max_pool_vector512_FP32}).
 */
public final class PoolingStep implements Step<WindowKernel.Scratch> {
    private final WindowKernel window;
    private final ExecType execType;
    /** Where output element 0 is written in the output array (an in-place Concat input's block), else 0. */
    private final int outBase;
    /** Whether this is a max pooling (see {@link #isMax}). */
    private final boolean max;

    private PoolingStep(WindowKernel window, ExecType execType, boolean max) {
        this(window, execType, 0, max);
    }

    private PoolingStep(WindowKernel window, ExecType execType, int outBase, boolean max) {
        this.window = window;
        this.execType = execType;
        this.outBase = outBase;
        this.max = max;
    }

    @Override
    public PoolingStep writingAt(int offset) {
        return new PoolingStep(window, execType, offset, max);
    }

    /**
     * Whether this is a max pooling: max commutes with a non-decreasing quantization, so on the codes of the
     * FakeQuantize after it (written by its producer) it computes exactly that FakeQuantize's codes of its output.
     */
    public boolean isMax() {
        return max;
    }

    /** This max pooling on codes ({@link #isMax}): the same kernel, the exec type {@code max_pool_..._I8_codes}. */
    public PoolingStep onCodes() {
        if (!isMax()) {
            throw new IllegalStateException("only a max pooling runs on codes");
        }
        return new PoolingStep(window, ExecType.of(execType.kernel(), ExecType.CODES), outBase, true);
    }

    /** The kernel for {@code node}, or {@code null} when it is not a 2-D f32 pooling this kernel covers. */
    public static PoolingStep of(Node node) {
        return of(node, false);
    }

    /**
     * As {@link #of(Node)}; with {@code extraOutputsUnused} it also takes a MaxPool-8 whose indices output nobody reads
     * (OpenVINO IRs write MaxPool-8 for every max pooling): the values are all that is computed.
     */
    public static PoolingStep of(Node node, boolean extraOutputsUnused) {
        ConvGeometry g = geometry(node, extraOutputsUnused);
        if (g == null) {
            return null;
        }
        Pooling pool = (Pooling) node.op();
        WindowGeometry w = pool.window();
        int[] in = node.input(0).shape().toArray();
        int kh = g.kernelH();
        int kw = g.kernelW();
        if (node.op() instanceof MaxPool) {
            WindowKernel k = WindowKernel.maxPool(g);
            return new PoolingStep(k, ExecType.of("max_pool_" + k.implementation(), "FP32"), true);
        }
        if (node.op() instanceof AvgPool avg) {
            boolean excludePad = avg.excludePad();
            WindowKernel k = WindowKernel.avgPool(g, excludePad, w.padEnd(0, in[2], kh), w.padEnd(1, in[3], kw));
            return new PoolingStep(k, ExecType.of("avg_pool_" + k.implementation(), "FP32"), false);
        }
        return null;
    }

    /**
     * The window of a 2-D f32 pooling node as a per-channel convolution's geometry (groups = channels), or {@code null}
     * when the node is not one the fast pooling kernels cover: a MaxPool-8 whose indices are read (unless
     * {@code extraOutputsUnused}), or a window larger than the padded input (ONNX Runtime's 0- or 1-window outputs at
     * tiny sizes are left to the reference kernel: the window kernels' buffers span the padded input).
     */
    public static ConvGeometry geometry(Node node, boolean extraOutputsUnused) {
        if (!(node.op() instanceof Pooling pool) || (node.outputs().size() != 1 && !extraOutputsUnused)
                || node.input(0).type() != ElementType.F32 || !node.input(0).shape().isStatic()
                || node.input(0).shape().rank() != 4 || !node.output(0).shape().isStatic()) {
            return null;
        }
        int[] in = node.input(0).shape().toArray();
        int[] out = node.output(0).shape().toArray();
        WindowGeometry w = pool.window();
        int kh = (int) pool.kernel()[0];
        int kw = (int) pool.kernel()[1];
        int dilationH = w.dilations().length == 2 ? (int) w.dilations()[0] : 1;
        int dilationW = w.dilations().length == 2 ? (int) w.dilations()[1] : 1;
        if (out[2] == 0 || out[3] == 0 || (long) (kh - 1) * dilationH + 1 > in[2] + w.padBegin(0, in[2], kh)
                + w.padEnd(0, in[2], kh) || (long) (kw - 1) * dilationW + 1 > in[3] + w.padBegin(1, in[3], kw)
                + w.padEnd(1, in[3], kw)) {
            return null;
        }
        return new ConvGeometry(in[0], in[1], in[2], in[3], in[1], out[2], out[3], kh, kw,
                (int) w.strides()[0], (int) w.strides()[1], dilationH, dilationW, w.padBegin(0, in[2], kh),
                w.padBegin(1, in[3], kw), in[1]);
    }

    @Override
    public ExecType execType() {
        return execType;
    }

    @Override
    public WindowKernel.Scratch newScratch(int threads) {
        return window.newScratch(threads);
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, WindowKernel.Scratch scratch, WorkerPool pool) {
        window.run(inputs[0].floats(), outputs[0].floats(), outBase, scratch, pool);
    }
}
