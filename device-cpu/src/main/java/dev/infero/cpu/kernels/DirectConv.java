package dev.infero.cpu.kernels;

import dev.infero.cpu.jit.DepthwiseKernel;
import dev.infero.cpu.jit.DirectConvKernel;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.jit.KernelCache;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A dense convolution with few input channels (detector stems) run directly by generated code
 * ({@link DirectConvKernel}): no im2col, the NCHW input read in place, each output row's channels computed in
 * registers with their post-ops. The output rows are cut into runs that read the same kernel rows (the top and
 * bottom padding rows apart from the rest), one generated function per run shape; threads take ranges of rows.
 * Post-ops the generated code cannot apply (codes of an INT8 reader) run after it, per channel, in {@link PostOps}.
 */
final class DirectConv {
    /**
     * Most weights per output channel (Cin·KH·KW). Up to here the direct kernel measured faster than every GEMM
     * strategy (ConvCpuTime, 1 thread: 3-channel stems 1.5–2.2×, 12–32 channels 3×3 1.1–1.9× on planes from 20×20,
     * 8×80×80→32 5×5 1.26×); at 64×56×56→64 3×3 (576) the two tie, so deeper layers keep the GEMM (docs/jit.md,
     * "Direct convolution").
     */
    static final int MAX_PATCH = 300;
    /**
     * Most weights of the whole layer (Cout·Cin·KH·KW). The direct kernel streams all of them for every output row, so
     * past what L1/L2 serve quickly it loses to the GEMM strategies even with few input channels (ConvCpuTime, 1
     * thread, 2026-12-07: 16×80×80→256 3×3, 36,864 weights, direct 1.11× faster; 32×40×40→256 3×3, 73,728: 0.91–0.98×;
     * 256×56×56→512 1×1/2, 131,072: 0.53× — ResNet's stride-2 projection, 7–9× slower than ORT in the model).
     */
    static final int MAX_WEIGHTS = 36_864;
    /**
     * The same bound for 1×1 kernels, whose stride-2 input loads feed fewer FMAs each: 64×56×56→128 1×1/2 (8,192)
     * direct 1.2× faster, 128×56×56→256 1×1/2 (32,768) 0.87×.
     */
    static final int MAX_WEIGHTS_1X1 = 16_384;
    /** Fewest output columns: narrower rows leave most vector lanes idle. */
    static final int MIN_WIDTH = 16;
    /**
     * With AVX-512, rows whose columns fill less than this share (in percent) of the vectors they take (20 columns
     * take two vectors of 16: 62 %) leave the layer to the shifted GEMM's segmented tiles, which run the padded plane
     * as one sequence of columns, where those suit it and the patch is at least {@link #MIN_PATCH_OVER_SHIFTED}
     * (ConvCpuTime, 1 thread, CPU time, direct vs shifted: 32×36×36→64 3×3/2 (18 columns) 0.118 vs 0.093 ms,
     * 32×20×20→64 3×3 (20) 0.120 vs 0.096, 32×40×40→64 3×3/2 (20) 0.122 vs 0.114, 24×34×34→48 3×3 (34) 0.163 vs
     * 0.142, 3×68×68→32 7×7/2 (34) 0.079 vs 0.063, 16×20×20→32 3×3 (20, patch 144) 0.028 vs 0.027; shorter patches
     * stay direct: 8×36×36→16 3×3/2 0.008 vs 0.011, 12×34×34→24 3×3 0.038 vs 0.040; from 26 of 32 lanes direct
     * won: 24×52×52→48 3×3/2 0.089 vs 0.104, 16×56×56→32 3×3/2 0.044 vs 0.059).
     */
    static final int MIN_LANE_SHARE_PERCENT = 75;
    /** See {@link #MIN_LANE_SHARE_PERCENT}. */
    static final int MIN_PATCH_OVER_SHIFTED = 144;

    private final ConvGeometry g;
    private final Jit.Isa isa;
    /** The op's weights, for {@link #withPost}. */
    private final float[] weights;
    private final float[] packed;
    /** Row runs: first output row, rows, and the kernel of each. */
    private final int[] runStart;
    private final int[] runRows;
    private final DirectConvKernel[] runKernel;
    /** The post-ops applied after the generated code (when it cannot apply them itself), else {@code null}. */
    private final PostOps after;

    /** Whether {@code g} with {@code post} suits the direct kernel (see {@link #MAX_PATCH}, {@link #MAX_WEIGHTS}). */
    static boolean suits(ConvGeometry g, PostOps post, Jit.Isa isa) {
        return suits(g, post, isa, false);
    }

    /**
     * As {@link #suits(ConvGeometry, PostOps, Jit.Isa)}, where {@code segmentedTiles} says the GEMM strategies run
     * generated tiles (then rows that fill their vectors poorly go to them: {@link #MIN_LANE_SHARE_PERCENT}).
     */
    static boolean suits(ConvGeometry g, PostOps post, Jit.Isa isa, boolean segmentedTiles) {
        if (segmentedTiles && isa == Jit.Isa.AVX512 && g.patchSize() >= MIN_PATCH_OVER_SHIFTED
                && laneSharePercent(g.outW(), isa.lanes()) < MIN_LANE_SHARE_PERCENT && ShiftedConv.suits(g, true)) {
            return false;
        }
        return isa != null && g.groups() == 1 && g.dilationH() == 1 && g.dilationW() == 1
                && g.strideW() <= 2 && g.strideH() <= 2 && g.kernelH() <= DirectConvKernel.MAX_KERNEL
                && g.kernelW() <= DirectConvKernel.MAX_KERNEL && g.patchSize() <= MAX_PATCH
                && (long) g.outChannels() * g.patchSize()
                        <= (g.kernelH() * g.kernelW() == 1 ? MAX_WEIGHTS_1X1 : MAX_WEIGHTS)
                && g.outW() >= MIN_WIDTH && !post.integerSums() && !g.isPointwise()
                && 4L * g.inChannels() * g.inH() * g.inW() < Integer.MAX_VALUE / 2
                && 4L * g.outChannels() * g.outH() * g.outW() < Integer.MAX_VALUE / 2;
    }

    /** The share of the lanes of its vectors that a row of {@code width} columns fills, in percent. */
    static int laneSharePercent(int width, int lanes) {
        return 100 * width / ((width + lanes - 1) / lanes * lanes);
    }

    DirectConv(ConvGeometry g, float[] weights, PostOps post, Jit.Isa isa) {
        this.g = g;
        this.isa = isa;
        this.weights = weights;
        DepthwiseKernel.Activation act = post.depthwiseJitActivation();
        boolean inRegisters = act != null;
        this.after = inRegisters ? null : post;
        int cout = g.outChannels();
        // Alpha per channel: PReLU's slopes, else the one alpha.
        float[] alphas = new float[cout];
        for (int c = 0; c < cout && inRegisters; c++) {
            alphas[c] = post.jitAlpha(c);
        }
        int[] blocking = DirectConvKernel.blocking(isa, g.strideW(), g.inChannels());
        this.packed = DirectConvKernel.pack(weights, cout, g.inChannels(), g.kernelH(), g.kernelW(), blocking[0],
                inRegisters ? post.jitScale() : null, inRegisters ? post.jitBias() : null, alphas,
                inRegisters ? post.jitAlpha() : 0f, inRegisters ? post.jitBeta() : 0f);
        List<int[]> runs = new ArrayList<>();
        for (int y = 0; y < g.outH(); y++) {
            int lo = kyLo(y);
            int hi = kyHi(y);
            int[] last = runs.isEmpty() ? null : runs.getLast();
            if (last != null && last[2] == lo && last[3] == hi) {
                last[1]++;
            } else {
                runs.add(new int[] {y, 1, lo, hi});
            }
        }
        runStart = new int[runs.size()];
        runRows = new int[runs.size()];
        runKernel = new DirectConvKernel[runs.size()];
        Map<Long, DirectConvKernel> kernels = new HashMap<>();
        KernelCache cache = KernelCache.current();
        for (int i = 0; i < runs.size(); i++) {
            int[] run = runs.get(i);
            runStart[i] = run[0];
            runRows[i] = run[1];
            int lo = run[2];
            int hi = Math.max(run[2], run[3]);
            runKernel[i] = kernels.computeIfAbsent((long) lo << 32 | hi, key -> new DirectConvKernel(cache,
                    new DirectConvKernel.Key(isa, g.inChannels(), g.inH() * g.inW(), g.inW(), g.kernelH(),
                            g.kernelW(), lo, hi, g.strideH(), g.strideW(), g.padLeft(), g.outW(), g.outH() * g.outW(),
                            cout, blocking[0], blocking[1], inRegisters && post.jitScale() != null,
                            inRegisters && post.jitBias() != null, inRegisters && post.hasResidual(),
                            inRegisters ? act : DepthwiseKernel.Activation.NONE)));
        }
    }

    /** The first kernel row output row {@code y} reads (those before fall in the top padding). */
    private int kyLo(int y) {
        return Math.clamp(g.padTop() - (long) g.strideH() * y, 0, g.kernelH());
    }

    /** One past the last kernel row output row {@code y} reads. */
    private int kyHi(int y) {
        return Math.clamp(g.inH() + g.padTop() - (long) g.strideH() * y, 0, g.kernelH());
    }

    /** {@code jit_avx512} or {@code jit_avx2}. */
    String implementation() {
        return "jit_" + isa.label();
    }

    /** This convolution with other post-ops (codes written by the reader's quantizer), generated now. */
    DirectConv withPost(PostOps post) {
        return new DirectConv(g, weights, post, isa);
    }

    Scratch newScratch() {
        return new Scratch();
    }

    /** One request's call arguments and the task threads run. */
    final class Scratch {
        private final WorkerPool.ItemTask task = this::runItem;
        private float[] in;
        private float[] out;
        private float[] residual;
        /** Where this call's output element 0 goes in {@link #out} (an in-place Concat input's block), else 0. */
        private int base;
        private int parts;

        private void runItem(int item, int slot) {
            int n = item / parts;
            int part = item % parts;
            int oh = g.outH();
            int y0 = (int) ((long) oh * part / parts);
            int y1 = (int) ((long) oh * (part + 1) / parts);
            rows(in, out, base, residual, n, y0, y1);
        }
    }

    void run(float[] in, float[] out, float[] residual, Scratch s, WorkerPool pool) {
        run(in, out, 0, residual, s, pool);
    }

    /** {@link #run} writing output element 0 at {@code out[base]} (an in-place Concat input; no residual then). */
    void run(float[] in, float[] out, int base, float[] residual, Scratch s, WorkerPool pool) {
        s.base = base;
        int threads = pool.threadsFor(g.flops(), g.activationBytes());
        int perImage = threads > 1 ? Math.max(1, Math.min(g.outH(), (2 * threads + g.batch() - 1) / g.batch())) : 1;
        s.in = in;
        s.out = out;
        s.residual = residual;
        s.parts = perImage;
        pool.parallelItems(threads, g.batch() * perImage, s.task);
        s.in = null;
        s.out = null;
        s.residual = null;
    }

    /** Output rows [y0, y1) of image n, run by run. */
    private void rows(float[] in, float[] out, int base, float[] residual, int n, int y0, int y1) {
        int inPlane = g.inH() * g.inW();
        int outPlane = g.outH() * g.outW();
        int inBase = n * g.inChannels() * inPlane;
        int outBase = base + n * g.outChannels() * outPlane;
        for (int i = 0; i < runStart.length; i++) {
            int from = Math.max(y0, runStart[i]);
            int to = Math.min(y1, runStart[i] + runRows[i]);
            if (from >= to) {
                continue;
            }
            DirectConvKernel k = runKernel[i];
            int row = g.strideH() * from - g.padTop() + k.key().kyLo();
            int inOff = k.key().kyHi() > k.key().kyLo() ? inBase + row * g.inW() : inBase;
            k.run(in, inOff, packed, out, outBase + from * g.outW(), residual, to - from);
        }
        if (after != null) {
            for (int c = 0; c < g.outChannels(); c++) {
                after.apply(out, outBase + c * outPlane + y0 * g.outW(), (y1 - y0) * g.outW(), c, residual);
            }
        }
    }
}
