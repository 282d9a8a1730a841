package dev.infero.cpu.kernels;

import dev.infero.core.tensor.VectorLanes;
import dev.infero.cpu.jit.DepthwiseKernel;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.jit.KernelCache;
import dev.infero.cpu.jit.PoolKernel;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sliding-window kernels that treat each channel plane of NCHW data on its own: depthwise convolution, max pooling
 * and average pooling.
 *
 * <p>Each input plane is copied into a per-thread buffer split into strideH × strideW phases: padded row r and column
 * c go to phase (r mod strideH, c mod strideW) at row r / strideH, column c / strideW, every phase row {@code pitch}
 * long. Output (y, x) then reads, for every tap, the buffer at {@code y * pitch + x} plus a per-tap offset, whatever
 * the stride, dilation or padding. So the kernel walks the "wide" output index {@code p = y * pitch + x} as one flat
 * run of full vectors: a vector spans several output rows when the rows are narrow (no half-empty vectors at width
 * 8), the few lanes that land on columns x ≥ outW compute values nobody copies, and there are no bounds tests,
 * gathers or per-row loop overheads. Padding sits at the same buffer positions for every plane, so it is written
 * once, when the scratch is made; only the input itself is copied per plane. Unpadded 2×2 stride-2 max pooling, the
 * commonest pooling, skips the copy and reads the input directly.
 *
 * <p>With the JIT on ({@link Jit#isa()}), a plain FP32 depthwise convolution computes each plane from its buffer
 * with generated code ({@link DepthwiseKernel}) that writes the output rows directly, its post-ops applied in
 * registers; the Vector API loops below run otherwise (JIT off, non-x86, codes in or out). Max and average pooling
 * run generated code ({@link PoolKernel}) straight from the input planes to the output planes, without the buffer,
 * wherever it covers the shape ({@link #generatesPool}); global pooling (the window holds the plane) folds each plane as
 * one contiguous run ({@link #globalPool}).
 *
 * <p>A depthwise convolution reading a FakeQuantize of an INT8 model quantizes the input as it copies it (see
 * {@link #depthwiseOnCodes}): the codes never exist as a tensor, so the layer before writes only its float output.
 */
public final class WindowKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Lane i takes lane 2i of two consecutive vectors: one column phase of a stride-2 row. */
    private static final FloatVector EVEN_LANES = laneIndexes(0);
    /** Lane i takes lane 2i + 1 of two consecutive vectors. */
    private static final FloatVector ODD_LANES = laneIndexes(1);

    /**
     * Plane ranges per thread of a split layer (see run): enough that a thread that starts late, or loses its core,
     * leaves its share to the others, few enough that each range is many planes long.
     */
    private static final int ITEMS_PER_THREAD = 4;

    /** Output vectors the inner loops compute at a time. */
    private static final int BLOCK = 4;
    private enum Kind { DEPTHWISE, MAX, AVG }

    private final ConvGeometry g;
    private final Kind kind;
    /** [C, KH, KW] tap weights (depthwise), or {@code null} for pooling. */
    private final float[] weights;
    /** Per channel, the quantizer whose codes the weights apply to, or {@code null} when they apply to the input. */
    private final ActivationQuantizer[] inputCodes;
    /** Per channel, the quantizer whose codes are written instead of the output values, or {@code null}. */
    private final ActivationQuantizer[] outputCodes;
    /**
     * Whether the input already holds the codes of {@link #inputCodes} (written by the layer before, see
     * {@link #readingCodes}): it is copied into the buffer as it is, not quantized.
     */
    private final boolean codesIn;
    /** Average pooling: per wide output index, the factor the window sum is multiplied by. */
    private final float[] scale;
    private final PostOps post;
    private final float padValue;
    private final int pitch;
    private final int phaseRows;
    /** Wide output values per plane, rounded up to the block of vectors the inner loops compute at a time. */
    private final int wideLength;
    private final int bufferLength;
    /** Per tap, where its run starts in the buffer relative to the wide output index. */
    private final int[] tapOffset;
    private final int threads;
    /** Max pooling over 2×2 windows at stride 2 without padding: runs straight from the input. */
    private final boolean halving;
    /**
     * 3×3 max pooling without dilation at horizontal stride 2 (any vertical stride, padding, ceil rounding): separable,
     * straight from the input (see {@link #separableMaxPool}). At stride 1 the phase-split copy costs little and the
     * flat wide run is faster.
     */
    private final boolean separable;
    /**
     * Max pooling at stride 1 without dilation over windows of 16 taps or more (SPP's and SPPF's 5×5, 9×9, 13×13):
     * the window maximum is built by doubling spans, first along the rows of the padded plane, then down its columns
     * (see {@link #maxByDoubling}): 2·⌈log2 k⌉ passes instead of k² taps.
     */
    private final boolean doubling;
    /** Wide indexes every doubling pass computes: the output rows and the kernelH − 1 rows below them. */
    private final int doublingExtent;
    /** Floats per row of the separable pooling's row maxima: the output width rounded up to whole vectors. */
    private final int rowPitch;
    /** Per input row the windows read, where its column phase 0 starts in the buffer. */
    private final int[] rowTarget;
    /**
     * Per column phase: buffer column j reads input column {@code j * strideW + columnShift}; the columns inside the
     * input are [columnFirst, columnEnd). Precomputed because the divisions cost more than copying a short row.
     */
    private final int[] columnShift;
    private final int[] columnFirst;
    private final int[] columnEnd;
    /** The generated depthwise plane kernel, or {@code null} (Vector API loops). */
    private final DepthwiseKernel jit;
    /** The generated max or average pooling, straight from input to output, or {@code null} (Vector API loops). */
    private final PoolKernel poolJit;
    /** Average pooling with {@link #poolJit}: per output position its factor, then a vector's slack. */
    private final float[] poolScale;
    /**
     * Global pooling: one output per plane whose window holds the whole plane (ResNet's and MobileNet's 7×7 average
     * pooling, written as AvgPool): each plane folded as one contiguous run ({@link #globalPool}).
     */
    private final boolean global;
    /** Per channel, {@link DepthwiseKernel#TABLE} constants of the generated code's post-ops. */
    private final float[] jitTable;
    /** Whether the generated code applies all post-ops; else it stores the sums and {@link PostOps#apply} follows. */
    private final boolean jitPostOps;
    /** Whether the generated code also writes the output codes ({@link #outputCodes}) in registers. */
    private final boolean jitCodesOut;
    /**
     * Whether the output codes are written as u8 quads (see {@link #writingQuads}): channel c's levels in byte
     * {@code c % 4} of the 32-bit lanes of the image's quad plane {@code c / 4}.
     */
    private final boolean quadsOut;

    private WindowKernel(ConvGeometry g, Kind kind, float[] weights, ActivationQuantizer[] inputCodes, float[] scale,
                         PostOps post, ActivationQuantizer[] outputCodes, Jit.Isa isa, boolean codesIn,
                         boolean quadsOut) {
        this.g = g;
        this.quadsOut = quadsOut;
        this.kind = kind;
        this.weights = weights;
        this.inputCodes = inputCodes;
        this.outputCodes = outputCodes;
        this.codesIn = codesIn;
        this.post = post;
        this.padValue = kind == Kind.MAX ? Float.NEGATIVE_INFINITY : 0f;
        int rows = (g.outH() - 1) * g.strideH() + (g.kernelH() - 1) * g.dilationH() + 1;
        int cols = (g.outW() - 1) * g.strideW() + (g.kernelW() - 1) * g.dilationW() + 1;
        this.pitch = (cols + g.strideW() - 1) / g.strideW();
        this.phaseRows = (rows + g.strideH() - 1) / g.strideH();
        this.wideLength = roundUp(g.outH() * pitch, BLOCK * L);
        this.tapOffset = new int[g.kernelH() * g.kernelW()];
        int maxOffset = 0;
        for (int kh = 0; kh < g.kernelH(); kh++) {
            for (int kw = 0; kw < g.kernelW(); kw++) {
                int row = kh * g.dilationH();
                int col = kw * g.dilationW();
                int phase = (row % g.strideH()) * g.strideW() + col % g.strideW();
                int offset = (phase * phaseRows + row / g.strideH()) * pitch + col / g.strideW();
                tapOffset[kh * g.kernelW() + kw] = offset;
                maxOffset = Math.max(maxOffset, offset);
            }
        }
        this.scale = scale == null ? null : widen(scale);
        this.global = kind != Kind.DEPTHWISE && g.outH() == 1 && g.outW() == 1 && g.dilationH() == 1
                && g.dilationW() == 1 && g.kernelH() - g.padTop() >= g.inH() && g.kernelW() - g.padLeft() >= g.inW();
        if (kind != Kind.DEPTHWISE && !global && generatesPool(g, isa)) {
            this.poolJit = new PoolKernel(KernelCache.current(), new PoolKernel.Key(isa, kind == Kind.MAX, g.inH(),
                    g.inW(), g.outH(), g.outW(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.dilationH(),
                    g.dilationW(), g.padTop(), g.padLeft()));
            this.poolScale = new float[poolJit.scaleLength()];
            if (scale != null) {
                System.arraycopy(scale, 0, poolScale, 0, scale.length);
            }
        } else {
            this.poolJit = null;
            this.poolScale = null;
        }
        int sh = g.strideH();
        int sw = g.strideW();
        this.rowTarget = new int[Math.max(0, Math.min(g.inH(), phaseRows * sh - g.padTop()))];
        for (int iy = 0; iy < rowTarget.length; iy++) {
            int r = iy + g.padTop();
            rowTarget[iy] = ((r % sh) * sw * phaseRows + r / sh) * pitch;
        }
        this.columnShift = new int[sw];
        this.columnFirst = new int[sw];
        this.columnEnd = new int[sw];
        for (int phase = 0; phase < sw; phase++) {
            int shift = phase - g.padLeft();
            columnShift[phase] = shift;
            columnFirst[phase] = Math.min(pitch, shift >= 0 ? 0 : (-shift + sw - 1) / sw);
            columnEnd[phase] = Math.max(columnFirst[phase],
                    Math.min(pitch, g.inW() - shift <= 0 ? 0 : (g.inW() - shift + sw - 1) / sw));
        }
        // INT8 models' depthwise layers on codes take the generated code too: its fill quantizes the input as it
        // copies it (or copies the codes the layer before wrote), and the output codes are quantized in registers.
        if (isa != null && kind == Kind.DEPTHWISE
                && tapOffset.length <= DepthwiseKernel.MAX_TAPS
                && DepthwiseKernel.Key.fits(isa, g.outH(), g.outW(), pitch, maxOffset)) {
            DepthwiseKernel.Activation act = post.depthwiseJitActivation();
            this.jitPostOps = act != null;
            this.jitCodesOut = jitPostOps && outputCodes != null;
            boolean quantizeIn = inputCodes != null && !codesIn;
            List<Integer> taps = Arrays.stream(tapOffset).boxed().toList();
            List<Integer> targets = Arrays.stream(rowTarget).boxed().toList();
            List<Integer> first = Arrays.stream(columnFirst).boxed().toList();
            List<Integer> end = Arrays.stream(columnEnd).boxed().toList();
            // The generated code copies the plane into the buffer itself where it can (strides 1 and 2).
            DepthwiseKernel.Fill fill = DepthwiseKernel.Key.fillSupported(isa, pitch, sh, sw, targets, first, end)
                    ? new DepthwiseKernel.Fill(g.inH(), g.inW(), sh, sw, phaseRows * pitch, targets,
                    Arrays.stream(columnShift).boxed().toList(), first, end, quantizeIn) : null;
            this.jit = new DepthwiseKernel(KernelCache.current(), new DepthwiseKernel.Key(isa, fill, g.outH(),
                    g.outW(), pitch, taps, jitPostOps && post.jitScale() != null, jitPostOps && post.jitBias() != null,
                    jitPostOps && post.hasResidual(), jitPostOps ? act : DepthwiseKernel.Activation.NONE,
                    jitCodesOut, quadsOut));
            this.jitTable = new float[g.inChannels() * DepthwiseKernel.TABLE];
            for (int c = 0; c < g.inChannels(); c++) {
                float[] sc = post.jitScale();
                float[] bi = post.jitBias();
                jit.fillTable(jitTable, c * DepthwiseKernel.TABLE, sc == null ? 1f : sc[c], bi == null ? 0f : bi[c],
                        post.jitAlpha(c), post.jitBeta());
                if (quantizeIn) {
                    inputCodes[c].jitConstants(jitTable, c * DepthwiseKernel.TABLE + DepthwiseKernel.T_IN_Q);
                }
                if (jitCodesOut) {
                    outputCodes[c].jitConstants(jitTable, c * DepthwiseKernel.TABLE + DepthwiseKernel.T_OUT_Q);
                }
            }
        } else {
            this.jit = null;
            this.jitTable = null;
            this.jitPostOps = false;
            this.jitCodesOut = false;
        }
        if (quadsOut && !jitCodesOut) {
            throw new IllegalStateException("u8 quads out need the generated code writing codes");
        }
        int jitExtent = jit == null ? 0 : jit.key().bufferLength();
        int doublingReach = kind == Kind.MAX && g.strideH() == 1 && g.strideW() == 1 && g.dilationH() == 1
                && g.dilationW() == 1 ? roundUp(wideLength + (g.kernelH() - 1) * pitch, L) + L + 1 : 0;
        this.bufferLength = Math.max(Math.max(Math.max(g.strideH() * g.strideW() * phaseRows * pitch,
                wideLength + maxOffset), jitExtent), doublingReach);
        this.halving = kind == Kind.MAX && g.kernelH() == 2 && g.kernelW() == 2 && g.strideH() == 2
                && g.strideW() == 2 && g.dilationH() == 1 && g.dilationW() == 1 && g.padTop() == 0
                && g.padLeft() == 0 && 2 * g.outH() <= g.inH() && 2 * g.outW() <= g.inW();
        this.separable = kind == Kind.MAX && g.kernelH() == 3 && g.kernelW() == 3 && g.dilationH() == 1
                && g.dilationW() == 1 && g.strideW() == 2 && g.padTop() < 3 && g.padLeft() < 3;
        this.doubling = kind == Kind.MAX && g.strideH() == 1 && g.strideW() == 1 && g.dilationH() == 1
                && g.dilationW() == 1 && g.kernelH() * g.kernelW() >= 16;
        this.doublingExtent = doubling ? roundUp(wideLength + (g.kernelH() - 1) * pitch, L) : 0;
        this.rowPitch = roundUp(g.outW(), L);
        this.threads = g.batch() * g.inChannels();
    }

    /**
     * Whether pooling of {@code g} runs on generated code for {@code isa} ({@code null}: the JIT off): where
     * {@link PoolKernel} covers the shape. That includes SPP's 9×9 and 13×13 max pooling at stride 1, whose separable
     * generated form (kw + kh loads per output vector) beats the Vector API's window maxima by doubling spans
     * ({@link #maxByDoubling}; 13×13 on 128×13×13: 14 µs against 48 µs).
     */
    static boolean generatesPool(ConvGeometry g, Jit.Isa isa) {
        return PoolKernel.Key.supports(isa, g.inH(), g.inW(), g.outH(), g.outW(), g.kernelH(), g.kernelW(),
                g.strideH(), g.strideW(), g.dilationH(), g.dilationW(), g.padTop(), g.padLeft());
    }

    /** Indexes for {@code selectFrom} of two vectors: lane i takes lane 2i + first of their concatenation. */
    private static FloatVector laneIndexes(int first) {
        float[] idx = new float[L];
        for (int i = 0; i < L; i++) {
            idx[i] = 2 * i + first;
        }
        return FloatVector.fromArray(S, idx, 0);
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    /** A per-output-position table laid out by wide index. */
    private float[] widen(float[] perOutput) {
        float[] wide = new float[wideLength];
        for (int y = 0; y < g.outH(); y++) {
            System.arraycopy(perOutput, y * g.outW(), wide, y * pitch, g.outW());
        }
        return wide;
    }

    /**
     * Depthwise convolution; {@code weights} is [C, KH, KW] (the op's [C, 1, 1, KH, KW] flattened). Generated code
     * when the JIT is on ({@link Jit#isa(String)}, family {@code depthwise}), else the Vector API loops.
     */
    public static WindowKernel depthwise(ConvGeometry g, float[] weights, PostOps post) {
        return depthwise(g, weights, post, Jit.isa("depthwise"));
    }

    /** {@link #depthwise} with generated code for {@code isa}, or the Vector API loops when it is {@code null}. */
    public static WindowKernel depthwise(ConvGeometry g, float[] weights, PostOps post, Jit.Isa isa) {
        return new WindowKernel(g, Kind.DEPTHWISE, weights, null, null, post, null, isa, false, false);
    }

    /** The ISA of this kernel's generated code, or {@code null} when it runs the Vector API loops. */
    private Jit.Isa isa() {
        return jit != null ? jit.key().isa() : poolJit != null ? poolJit.isa() : null;
    }

    /** For exec types: {@code jit_avx512}, {@code jit_avx2}, or the Vector API's {@code vector512}. */
    public String implementation() {
        return jit != null ? jit.implementation() : poolJit != null ? poolJit.implementation()
                : "vector" + S.vectorBitSize();
    }

    /**
     * Depthwise convolution of the FakeQuantize of its input, one quantizer per channel with an integer zero point:
     * the input is turned into codes as it is copied, and the weights, multiplied by their channel's step, turn the
     * codes' sums into the sums of the fake-quantized values (exact up to float rounding, as the op's own are).
     */
    public static WindowKernel depthwiseOnCodes(ConvGeometry g, float[] weights, ActivationQuantizer[] inputCodes,
                                                PostOps post) {
        return depthwiseOnCodes(g, weights, inputCodes, post, Jit.isa("depthwise"));
    }

    /** {@link #depthwiseOnCodes} with generated code for {@code isa}, or the Vector API loops when it is {@code null}. */
    public static WindowKernel depthwiseOnCodes(ConvGeometry g, float[] weights, ActivationQuantizer[] inputCodes,
                                                PostOps post, Jit.Isa isa) {
        float[] scaled = new float[weights.length];
        int perChannel = weights.length / inputCodes.length;
        for (int i = 0; i < weights.length; i++) {
            scaled[i] = (float) (weights[i] * inputCodes[i / perChannel].step());
        }
        return new WindowKernel(g, Kind.DEPTHWISE, scaled, inputCodes, null, post, null, isa, false, false);
    }

    /** Whether this is a depthwise convolution of codes ({@link #depthwiseOnCodes}) that quantizes its input itself. */
    public boolean canReadCodes() {
        return inputCodes != null && !codesIn;
    }

    /**
     * This depthwise convolution of codes reading an input that already holds the codes of its quantizers (written by
     * the layer before, see {@code CodesWriter}): the buffer gets them as they are.
     */
    public WindowKernel readingCodes() {
        if (!canReadCodes()) {
            throw new IllegalStateException("only a depthwise convolution of codes reads codes");
        }
        return new WindowKernel(g, kind, weights, inputCodes, null, post, outputCodes, isa(), true, quadsOut);
    }

    /** Whether {@link #writingCodes} works: a depthwise convolution whose post-ops add no residual. */
    public boolean canWriteCodes() {
        return kind == Kind.DEPTHWISE && !post.hasResidual();
    }

    /**
     * This depthwise convolution writing the codes of its output's FakeQuantize (one quantizer per channel) instead
     * of the values, quantized from the finished plane while it is in L1, for INT8 convolutions that read codes. A
     * bias that is the only post-op is folded into the quantizers (see {@link ActivationQuantizer#adding}).
     */
    public WindowKernel writingCodes(ActivationQuantizer[] codes) {
        if (!canWriteCodes()) {
            throw new IllegalStateException("only a depthwise convolution without residual writes codes");
        }
        float[] bias = post.onlyBias();
        if (bias == null) {
            return new WindowKernel(g, kind, weights, inputCodes, null, post, codes, isa(), codesIn, false);
        }
        ActivationQuantizer[] biased = new ActivationQuantizer[codes.length];
        for (int c = 0; c < codes.length; c++) {
            biased[c] = codes[c].adding(bias[c]);
        }
        return new WindowKernel(g, kind, weights, inputCodes, null, PostOps.NONE, biased, isa(), codesIn, false);
    }

    /**
     * Whether {@link #writingQuads} works: this kernel writes codes from generated AVX-512 code, which can store
     * bytes under a byte mask.
     */
    public boolean canWriteQuads() {
        return jitCodesOut && isa() == Jit.Isa.AVX512;
    }

    /**
     * This kernel writing its output codes as u8 quads, the layout the INT8 tiles read (see
     * {@code U8S8Conv#readingQuads}): image n's quad plane q holds channels 4q..4q+3 as the four bytes of each
     * 32-bit lane, lane p (the position) at float {@code n·C·H·W + q·H·W} of the output; channel c's level
     * {@code code + zeroPoint} is byte {@code c % 4}. The output tensor's floats past the quad planes are not written,
     * nor the bytes of channels past C in the last quad.
     */
    public WindowKernel writingQuads() {
        if (!canWriteQuads()) {
            throw new IllegalStateException("only generated AVX-512 depthwise code writing codes writes u8 quads");
        }
        return new WindowKernel(g, kind, weights, inputCodes, null, post, outputCodes, isa(), codesIn, true);
    }

    /** Where channel {@code plane % C} of image {@code plane / C} writes its levels (bytes; see writingQuads). */
    private long quadByte(int plane) {
        int c = plane % g.inChannels();
        long outSize = (long) g.outH() * g.outW();
        return 4 * ((long) (plane - c) * outSize + (long) (c / 4) * outSize) + c % 4;
    }

    /**
     * Max pooling: padded positions never win; a window entirely in padding yields -inf. Generated code when the JIT
     * is on ({@link Jit#isa(String)}, family {@code pool}) and covers the shape ({@link PoolKernel.Key#supports}),
     * else the Vector API loops.
     */
    public static WindowKernel maxPool(ConvGeometry g) {
        return maxPool(g, Jit.isa("pool"));
    }

    /** {@link #maxPool} with generated code for {@code isa} where it covers the shape, or the Vector API loops. */
    public static WindowKernel maxPool(ConvGeometry g, Jit.Isa isa) {
        return new WindowKernel(g, Kind.MAX, null, null, null, PostOps.NONE, null, isa, false, false);
    }

    /**
     * Average pooling. With {@code excludePad} a window's mean is over the input values it covers; otherwise over
     * the positions inside the padded input (ending {@code padBottom}/{@code padRight} after it). A window with
     * nothing to count yields 0.
     */
    public static WindowKernel avgPool(ConvGeometry g, boolean excludePad, int padBottom, int padRight) {
        return avgPool(g, excludePad, padBottom, padRight, Jit.isa("pool"));
    }

    /** {@link #avgPool} with generated code for {@code isa} where it covers the shape, or the Vector API loops. */
    public static WindowKernel avgPool(ConvGeometry g, boolean excludePad, int padBottom, int padRight,
                                       Jit.Isa isa) {
        int[] countY = windowCounts(g.outH(), g.kernelH(), g.strideH(), g.dilationH(), g.padTop(), g.inH(),
                excludePad ? 0 : g.padTop(), excludePad ? 0 : padBottom);
        int[] countX = windowCounts(g.outW(), g.kernelW(), g.strideW(), g.dilationW(), g.padLeft(), g.inW(),
                excludePad ? 0 : g.padLeft(), excludePad ? 0 : padRight);
        float[] scale = new float[g.outH() * g.outW()];
        for (int y = 0; y < g.outH(); y++) {
            for (int x = 0; x < g.outW(); x++) {
                int n = countY[y] * countX[x];
                scale[y * g.outW() + x] = n == 0 ? 0f : 1f / n;
            }
        }
        return new WindowKernel(g, Kind.AVG, null, null, scale, PostOps.NONE, null, isa, false, false);
    }

    /** Per output index, how many of its window's taps fall inside [-before, size + after). */
    private static int[] windowCounts(int out, int k, int stride, int dilation, int pad, int size, int before,
                                      int after) {
        int[] counts = new int[out];
        for (int o = 0; o < out; o++) {
            for (int t = 0; t < k; t++) {
                int i = o * stride - pad + t * dilation;
                if (i >= -before && i < size + after) {
                    counts[o]++;
                }
            }
        }
        return counts;
    }

    public ConvGeometry geometry() {
        return g;
    }

    /**
     * Per-request state: per thread two padded-plane buffers (padding filled in), so the next plane is copied in
     * while the current one is computed (loads right after the stores that wrote them would stall on store
     * forwarding), and a wide output plane.
     */
    public final class Scratch {
        private final float[][] buffers;
        private final float[][] wide;
        /**
         * Per thread, one input plane's codes ({@link #depthwiseOnCodes}), two vectors longer than the plane so the
         * splitting loads in {@link #copyStrided} stay in bounds.
         */
        private final float[][] planeCodes;
        private final WorkerPool.ItemTask task;
        private float[] in;
        private float[] out;
        private float[] residual;
        /** Where this call's output element 0 goes in {@link #out} (see {@link WindowKernel#run(float[], float[], int, Scratch, WorkerPool)}). */
        private int outBase;
        /** This call's items: ranges of consecutive planes (see run). */
        private int items;

        /**
         * Per thread, the separable max pooling's row maxima of one plane (the Vector API's, or the generated code's
         * buffer).
         */
        private final float[][] rowMax;

        Scratch(int threads) {
            boolean direct = halving || separable || poolJit != null || global;
            buffers = new float[2 * threads][direct ? 0 : bufferLength];
            // The doubling passes read up to a row span (or kernelH − 1 rows) past what they compute.
            wide = new float[threads][direct || jit != null ? 0 : doubling ? doublingExtent
                    + Math.max(g.kernelW(), (g.kernelH() - 1) * pitch + 1) + L : wideLength];
            // A vector of the last row starting at column xLo > 0 may end one vector past the rows.
            rowMax = new float[threads][poolJit != null ? poolJit.bufferLength()
                    : separable ? g.inH() * rowPitch + L : 0];
            planeCodes = new float[threads][inputCodes != null ? g.inH() * g.inW() + 2 * L : 0];
            for (float[] b : buffers) {
                Arrays.fill(b, padValue);
            }
            task = this::runTask;
        }

        /**
         * Item {@code item}: planes [first, end) of the even cut of all planes into {@link #items} ranges, on the
         * thread that owns slot {@code t}. Consecutive planes, so a thread streams through memory and, with the Vector
         * API loops, copies the next plane of its range in while it computes the current one.
         */
        private void runTask(int item, int t) {
            int planes = g.batch() * g.inChannels();
            int first = (int) ((long) item * planes / items);
            int end = (int) ((long) (item + 1) * planes / items);
            if (global) {
                float factor = kind == Kind.AVG ? scale[0] : 1f;
                for (int plane = first; plane < end; plane++) {
                    out[outBase + plane] = globalPool(in, plane * g.inH() * g.inW(), factor);
                }
                return;
            }
            if (poolJit != null) {
                poolJit.run(in, first * g.inH() * g.inW(), out, outBase + first * g.outH() * g.outW(), poolScale,
                        rowMax[t], end - first);
                return;
            }
            if (halving) {
                for (int plane = first; plane < end; plane++) {
                    maxPool2x2(in, out, outBase, plane);
                }
                return;
            }
            if (separable) {
                for (int plane = first; plane < end; plane++) {
                    separableMaxPool(in, out, outBase, plane, rowMax[t]);
                }
                return;
            }
            float[] current = buffers[2 * t];
            if (jit != null && jit.fills()) {
                // Generated code copies each plane into the buffer and computes it in one call.
                int size = g.inH() * g.inW();
                int outSize = g.outH() * g.outW();
                // Small planes: one call per run of planes inside one image (consecutive channels' weights and
                // constants; with u8 quads the code steps through the channels' bytes of the quad planes); larger
                // ones a call per plane (see DepthwiseKernel.Key.pingPong).
                boolean runs = jit.runsPlanes();
                for (int plane = first; plane < end; ) {
                    int c = plane % g.inChannels();
                    int n = runs ? Math.min(end - plane, g.inChannels() - c) : 1;
                    if (quadsOut) {
                        jit.runQuadsPlanes(in, plane * size, current, 0, weights, c * tapOffset.length, out,
                                quadByte(plane), jitTable, c * DepthwiseKernel.TABLE, n);
                        plane += n;
                        continue;
                    }
                    jit.runPlanes(in, plane * size, current, 0, weights, c * tapOffset.length, out,
                            outBase + plane * outSize, residual, jitTable, c * DepthwiseKernel.TABLE, n);
                    for (int i = 0; i < n; i++) {
                        int o = outBase + (plane + i) * outSize;
                        if (!jitPostOps && !post.isIdentity()) {
                            post.apply(out, o, outSize, c + i, residual);
                        }
                        if (outputCodes != null && !jitCodesOut) {
                            outputCodes[c + i].quantize(out, o, out, o, outSize);
                        }
                    }
                    plane += n;
                }
                return;
            }
            float[] next = buffers[2 * t + 1];
            if (first < end) {
                fillBuffer(in, first, current, planeCodes[t]);
            }
            for (int plane = first; plane < end; plane++) {
                if (plane + 1 < end) {
                    fillBuffer(in, plane + 1, next, planeCodes[t]);
                }
                plane(out, outBase, residual, plane, current, wide[t]);
                float[] filled = next;
                next = current;
                current = filled;
            }
        }
    }

    /**
     * The max (times 1) or the sum times {@code factor} (average pooling's 1 / count) of the plane at
     * {@code in[base..]}: whole vectors into four accumulators, then the rest under a mask, folded across lanes in one
     * fixed order ({@link VectorLanes}), so a plane gives the same bits in every call.
     */
    private float globalPool(float[] in, int base, float factor) {
        int n = g.inH() * g.inW();
        boolean max = kind == Kind.MAX;
        FloatVector pad = FloatVector.broadcast(S, padValue);
        FloatVector a0 = pad;
        FloatVector a1 = pad;
        FloatVector a2 = pad;
        FloatVector a3 = pad;
        int i = 0;
        if (max) {
            for (; i + 4 * L <= n; i += 4 * L) {
                a0 = a0.max(FloatVector.fromArray(S, in, base + i));
                a1 = a1.max(FloatVector.fromArray(S, in, base + i + L));
                a2 = a2.max(FloatVector.fromArray(S, in, base + i + 2 * L));
                a3 = a3.max(FloatVector.fromArray(S, in, base + i + 3 * L));
            }
            for (; i < n; i += L) {
                VectorMask<Float> m = S.indexInRange(i, n);
                a0 = a0.max(FloatVector.fromArray(S, in, base + i, m).blend(pad, m.not()));
            }
            return VectorLanes.max(a0.max(a1).max(a2.max(a3)));
        }
        for (; i + 4 * L <= n; i += 4 * L) {
            a0 = a0.add(FloatVector.fromArray(S, in, base + i));
            a1 = a1.add(FloatVector.fromArray(S, in, base + i + L));
            a2 = a2.add(FloatVector.fromArray(S, in, base + i + 2 * L));
            a3 = a3.add(FloatVector.fromArray(S, in, base + i + 3 * L));
        }
        for (; i < n; i += L) {
            a0 = a0.add(FloatVector.fromArray(S, in, base + i, S.indexInRange(i, n)));
        }
        return VectorLanes.sum(a0.add(a1).add(a2.add(a3))) * factor;
    }

    /**
     * Max pooling over 2×2 windows at stride 2 without padding straight from the input: the max of two input rows,
     * then of each pair of neighbouring lanes (even lanes against odd lanes), so no phase-split copy is needed.
     */
    private void maxPool2x2(float[] in, float[] out, int outBase, int plane) {
        int iw = g.inW();
        int ow = g.outW();
        int full = ow - ow % L;
        for (int y = 0; y < g.outH(); y++) {
            int top = (plane * g.inH() + 2 * y) * iw;
            int bottom = top + iw;
            int o = outBase + (plane * g.outH() + y) * ow;
            for (int x = 0; x < full; x += L) {
                FloatVector t0 = FloatVector.fromArray(S, in, top + 2 * x);
                FloatVector b0 = FloatVector.fromArray(S, in, bottom + 2 * x);
                FloatVector t1 = FloatVector.fromArray(S, in, top + 2 * x + L);
                FloatVector b1 = FloatVector.fromArray(S, in, bottom + 2 * x + L);
                FloatVector lo = t0.blend(b0, t0.compare(VectorOperators.LT, b0));
                FloatVector hi = t1.blend(b1, t1.compare(VectorOperators.LT, b1));
                FloatVector even = EVEN_LANES.selectFrom(lo, hi);
                FloatVector odd = ODD_LANES.selectFrom(lo, hi);
                even.blend(odd, even.compare(VectorOperators.LT, odd)).intoArray(out, o + x);
            }
            for (int x = full; x < ow; x++) {
                out[o + x] = Math.max(Math.max(in[top + 2 * x], in[top + 2 * x + 1]),
                        Math.max(in[bottom + 2 * x], in[bottom + 2 * x + 1]));
            }
        }
    }

    /**
     * Max pooling of one plane in two passes straight from the input, with no padded copy: every input row a window
     * reads is reduced to its row maxima first (output column x: the max over the row's columns of x's window), then
     * each output row is the max of its window's three rows of maxima: 4 maxima per output instead of 8, and each
     * input row is read once. The even and odd columns of a pair of vectors are split with two-vector lane
     * selections. Columns and rows whose windows cross the input's border
     * (padding, ceil rounding) are reduced over their part inside it.
     */
    private void separableMaxPool(float[] in, float[] out, int outBase, int plane, float[] rows) {
        int iw = g.inW();
        int ih = g.inH();
        int ow = g.outW();
        int oh = g.outH();
        int kw = g.kernelW();
        int kh = g.kernelH();
        int sw = g.strideW();
        int padL = g.padLeft();
        // Output columns whose windows lie inside the row: [xLo, xHi).
        int xLo = Math.min(ow, (padL + sw - 1) / sw);
        int xHi = iw - kw + padL < 0 ? xLo : Math.max(xLo, Math.min(ow, (iw - kw + padL) / sw + 1));
        int firstRow = Math.max(0, -g.padTop());
        int endRow = Math.min(ih, (oh - 1) * g.strideH() - g.padTop() + kh);
        int planeBase = plane * ih * iw;
        for (int r = firstRow; r < endRow; r++) {
            int rowBase = planeBase + r * iw;
            int dst = r * rowPitch;
            for (int x = 0; x < xLo; x++) {
                rows[dst + x] = borderRowMax(in, rowBase, x);
            }
            int x = rowMax3Stride2(in, rowBase - padL, rows, dst, xLo, xHi);
            // The last vector may pass xHi (its extra lanes are overwritten here or never stored); where the array
            // ended first, the rest of the inside columns; then the windows crossing the right border.
            for (x = Math.min(x, xHi); x < ow; x++) {
                rows[dst + x] = borderRowMax(in, rowBase, x);
            }
        }
        int full = ow - ow % L;
        VectorMask<Float> last = S.indexInRange(full, ow);
        for (int y = 0; y < oh; y++) {
            int r0 = Math.max(0, y * g.strideH() - g.padTop());
            int r1 = Math.min(ih, y * g.strideH() - g.padTop() + kh);
            int o = outBase + (plane * oh + y) * ow;
            if (r0 >= r1) {
                Arrays.fill(out, o, o + ow, Float.NEGATIVE_INFINITY);
                continue;
            }
            int x = 0;
            if (r1 - r0 == 3) {
                int a = r0 * rowPitch;
                for (; x < full; x += L) {
                    FloatVector m = FloatVector.fromArray(S, rows, a + x);
                    FloatVector v1 = FloatVector.fromArray(S, rows, a + rowPitch + x);
                    FloatVector v2 = FloatVector.fromArray(S, rows, a + 2 * rowPitch + x);
                    m = m.blend(v1, m.compare(VectorOperators.LT, v1));
                    m.blend(v2, m.compare(VectorOperators.LT, v2)).intoArray(out, o + x);
                }
                if (full < ow) {
                    // The rows are rowPitch long, so the loads stay inside; the store stops at the row's end.
                    FloatVector m = FloatVector.fromArray(S, rows, a + x);
                    FloatVector v1 = FloatVector.fromArray(S, rows, a + rowPitch + x);
                    FloatVector v2 = FloatVector.fromArray(S, rows, a + 2 * rowPitch + x);
                    m = m.blend(v1, m.compare(VectorOperators.LT, v1));
                    m.blend(v2, m.compare(VectorOperators.LT, v2)).intoArray(out, o + x, last);
                    x = ow;
                }
            } else if (r1 - r0 == 2) {
                int a = r0 * rowPitch;
                for (; x < full; x += L) {
                    FloatVector m = FloatVector.fromArray(S, rows, a + x);
                    FloatVector v1 = FloatVector.fromArray(S, rows, a + rowPitch + x);
                    m.blend(v1, m.compare(VectorOperators.LT, v1)).intoArray(out, o + x);
                }
            } else if (r1 - r0 == 1) {
                System.arraycopy(rows, r0 * rowPitch, out, o, full);
                x = full;
            }
            for (; x < ow; x++) {
                float m = rows[r0 * rowPitch + x];
                for (int r = r0 + 1; r < r1; r++) {
                    float v = rows[r * rowPitch + x];
                    m = m < v ? v : m;
                }
                out[o + x] = m;
            }
        }
    }

    /**
     * Row maxima of 3-wide windows at stride 2 for output columns [x, xHi), whole vectors while the loads stay inside
     * the array: column x's window starts at {@code base + 2x}. Returns where it stopped (past xHi when it finished).
     */
    private static int rowMax3Stride2(float[] in, int base, float[] rows, int dst, int x, int xHi) {
        // The loads reach base + 2x + 2 + 2L - 1, one float past the last column the lanes use; lanes past xHi read
        // the next row (or columns past the border) and are not kept.
        for (; x < xHi && base + 2 * x + 2 + 2 * L <= in.length; x += L) {
            int p = base + 2 * x;
            FloatVector a = FloatVector.fromArray(S, in, p);
            FloatVector b = FloatVector.fromArray(S, in, p + L);
            FloatVector a2 = FloatVector.fromArray(S, in, p + 2);
            FloatVector b2 = FloatVector.fromArray(S, in, p + 2 + L);
            FloatVector m = EVEN_LANES.selectFrom(a, b);
            FloatVector odd = ODD_LANES.selectFrom(a, b);
            FloatVector next = EVEN_LANES.selectFrom(a2, b2);
            m = m.blend(odd, m.compare(VectorOperators.LT, odd));
            m.blend(next, m.compare(VectorOperators.LT, next)).intoArray(rows, dst + x);
        }
        return x;
    }

    /** The max over the part inside the row of output column x's window (-inf when it has none). */
    private float borderRowMax(float[] in, int rowBase, int x) {
        int c0 = x * g.strideW() - g.padLeft();
        float m = Float.NEGATIVE_INFINITY;
        for (int c = Math.max(0, c0); c < Math.min(g.inW(), c0 + g.kernelW()); c++) {
            float v = in[rowBase + c];
            m = m < v ? v : m;
        }
        return m;
    }

    public Scratch newScratch(int threads) {
        return new Scratch(Math.min(threads, this.threads));
    }

    /**
     * One-thread time of a call, in nanoseconds, for {@link WorkerPool#threadsFor}. The Vector API loops read the input
     * twice (copied into the padded buffers, then by the taps), and measured close to the pool's model with that (3×3
     * and 5×5 max pooling, 1 thread, best of 3,000 calls: 0.6–1.1× the estimate on 24×80×80 to 200×14×14). The
     * generated code copies each plane into an L1 buffer and computes it there, 1.6–4.7× faster than the model says
     * (3×3 and 5×5 depthwise on 24×80×80, 48×40×40, 96×20×20, 160×10×10, 24×160×160, 200×14×14, stride 2 on 64×40×40
     * and 40×60×60: 9–200 µs against estimates of 14–553 µs): its estimate is the model's for one pass over the
     * activations, halved, which puts those layers at 0.6–1.8× their measured times. At the model's rates it split 10
     * µs layers into halves that the hand-off and the other core's cache lines cost more than they saved (issue 12).
     * Generated pooling reads the input once, straight into the output, and takes the same halved estimate: 1.0–1.9×
     * its measured times (3×3/2 on 64×111×111, 128×55×55, 256×27×27: 127, 62, 30 µs against 111–119, 38, 18; SPP's
     * 5×5 on 128×13×13: 13.5 against 7.3).
     */
    private long estimatedNanos() {
        if (jit != null && jit.fills() && !splitPays(g)) {
            return 0;
        }
        if ((jit != null && jit.fills()) || poolJit != null) {
            return WorkerPool.estimatedNanos(g.flops(), g.activationBytes()) / 2;
        }
        return WorkerPool.estimatedNanos(g.flops(),
                g.activationBytes() + 4L * g.batch() * g.inChannels() * g.inH() * g.inW());
    }

    /**
     * Activations (input plus output) below which a generated depthwise layer runs on one thread unless it does
     * {@link #SPLIT_FLOPS_PER_BYTE} or more: its data then sit in the calling core's L2 (the layer before wrote its
     * input there, the layer after reads its output there), and the other core's half would first move its input
     * over and then its output back, about what the split saves on a kernel that does about two flops per byte
     * moved. {@code -Dinfero.cpu.depthwiseSplitKiB} overrides it.
     */
    static final long SPLIT_BYTES = Long.getLong("infero.cpu.depthwiseSplitKiB", 1024) * 1024;
    /** Flops per byte of activations from which a depthwise layer is compute-bound enough to split anyway. */
    static final int SPLIT_FLOPS_PER_BYTE = 4;

    /**
     * Whether splitting a generated depthwise layer of {@code g} over threads can pay ({@link #SPLIT_BYTES}): 3×3
     * layers of small planes that fit L2 stayed as fast at 2 threads as at 1 or got slower (YuNet's and own
     * 64–256-channel layers on 8×10 to 30×40 planes, issue: depthwise small planes), larger ones scaled.
     */
    static boolean splitPays(ConvGeometry g) {
        return g.activationBytes() >= SPLIT_BYTES || g.flops() >= SPLIT_FLOPS_PER_BYTE * g.activationBytes();
    }

    /** {@code residual} may be {@code null} unless the post-ops add one. */
    public void run(float[] in, float[] out, float[] residual, Scratch s, WorkerPool pool) {
        run(in, out, 0, residual, s, pool);
    }

    /**
     * Whether {@link #run(float[], float[], int, Scratch, WorkerPool)} may write at an offset: not with a residual
     * (read at the output's own indexes) or output codes.
     */
    public boolean canWriteAt() {
        return !post.hasResidual() && outputCodes == null;
    }

    /**
     * {@link #run} writing output element 0 at {@code out[outBase]} (an in-place Concat input's block; see
     * {@link #canWriteAt}).
     */
    public void run(float[] in, float[] out, int outBase, Scratch s, WorkerPool pool) {
        run(in, out, outBase, null, s, pool);
    }

    private void run(float[] in, float[] out, int outBase, float[] residual, Scratch s, WorkerPool pool) {
        s.outBase = outBase;
        s.in = in;
        s.out = out;
        s.residual = residual;
        int threads = Math.min(pool.threadsFor(estimatedNanos()), s.wide.length);
        int planes = g.batch() * g.inChannels();
        // Split, a few ranges of planes per thread, claimed as threads come free: a late worker takes fewer.
        s.items = threads > 1 ? Math.min(planes, threads * ITEMS_PER_THREAD) : 1;
        pool.parallelItems(threads, s.items, s.task);
        s.in = null;
        s.out = null;
        s.residual = null;
    }

    /** Computes one plane from its filled buffer. */
    private void plane(float[] out, int outBase, float[] residual, int plane, float[] buf, float[] wide) {
        int c = plane % g.inChannels();
        if (jit != null) {
            int o = outBase + plane * g.outH() * g.outW();
            if (quadsOut) {
                jit.runQuads(buf, 0, buf, 0, weights, c * tapOffset.length, out, quadByte(plane), jitTable,
                        c * DepthwiseKernel.TABLE);
                return;
            }
            jit.run(buf, 0, weights, c * tapOffset.length, out, o, residual, jitTable, c * DepthwiseKernel.TABLE);
            if (!jitPostOps && !post.isIdentity()) {
                post.apply(out, o, g.outH() * g.outW(), c, residual);
            }
            if (outputCodes != null && !jitCodesOut) {
                outputCodes[c].quantize(out, o, out, o, g.outH() * g.outW());
            }
            return;
        }
        switch (kind) {
            case DEPTHWISE -> {
                if (tapOffset.length == 9) {
                    weighted9(buf, wide, c * 9);
                } else {
                    weighted(buf, wide, c * tapOffset.length);
                }
            }
            case MAX -> {
                if (doubling) {
                    maxByDoubling(buf, wide);
                } else {
                    max(buf, wide);
                }
            }
            case AVG -> average(buf, wide);
        }
        int ow = g.outW();
        int o = outBase + plane * g.outH() * ow;
        // Post-ops run on the wide plane in one pass when they need no residual (laid out like the output).
        if (!post.hasResidual()) {
            post.apply(wide, 0, wideLength, c, null);
        }
        if (outputCodes != null) {
            outputCodes[c].quantize(wide, 0, pitch, out, o, ow, g.outH(), ow);
        } else {
            for (int y = 0; y < g.outH(); y++) {
                copyRow(wide, y * pitch, out, o + y * ow, ow);
            }
        }
        if (post.hasResidual()) {
            post.apply(out, o, g.outH() * ow, c, residual);
        }
    }

    // One loop per kind, BLOCK output vectors at a time: independent accumulators hide the FMA latency (4 cycles,
    // so one accumulator would run at a quarter of the FMA throughput) and each weight broadcast serves all of them.
    // No shared loop with a condition per kind: a vector chosen by a condition is a phi that C2 may fail to keep
    // unboxed.

    private void weighted(float[] buf, float[] wide, int wBase) {
        int taps = tapOffset.length;
        for (int p = 0; p < wideLength; p += BLOCK * L) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            for (int t = 0; t < taps; t++) {
                FloatVector w = FloatVector.broadcast(S, weights[wBase + t]);
                int b = p + tapOffset[t];
                a0 = FloatVector.fromArray(S, buf, b).fma(w, a0);
                a1 = FloatVector.fromArray(S, buf, b + L).fma(w, a1);
                a2 = FloatVector.fromArray(S, buf, b + 2 * L).fma(w, a2);
                a3 = FloatVector.fromArray(S, buf, b + 3 * L).fma(w, a3);
            }
            a0.intoArray(wide, p);
            a1.intoArray(wide, p + L);
            a2.intoArray(wide, p + 2 * L);
            a3.intoArray(wide, p + 3 * L);
        }
    }

    /**
     * {@link #weighted} for nine taps (3×3, the commonest depthwise kernel): the weights and tap offsets stay in
     * registers for the whole plane, so each FMA needs one load instead of a load, a broadcast and two index reads.
     */
    private void weighted9(float[] buf, float[] wide, int wBase) {
        FloatVector w0 = FloatVector.broadcast(S, weights[wBase]);
        FloatVector w1 = FloatVector.broadcast(S, weights[wBase + 1]);
        FloatVector w2 = FloatVector.broadcast(S, weights[wBase + 2]);
        FloatVector w3 = FloatVector.broadcast(S, weights[wBase + 3]);
        FloatVector w4 = FloatVector.broadcast(S, weights[wBase + 4]);
        FloatVector w5 = FloatVector.broadcast(S, weights[wBase + 5]);
        FloatVector w6 = FloatVector.broadcast(S, weights[wBase + 6]);
        FloatVector w7 = FloatVector.broadcast(S, weights[wBase + 7]);
        FloatVector w8 = FloatVector.broadcast(S, weights[wBase + 8]);
        int o0 = tapOffset[0];
        int o1 = tapOffset[1];
        int o2 = tapOffset[2];
        int o3 = tapOffset[3];
        int o4 = tapOffset[4];
        int o5 = tapOffset[5];
        int o6 = tapOffset[6];
        int o7 = tapOffset[7];
        int o8 = tapOffset[8];
        for (int p = 0; p < wideLength; p += L) {
            // Taps summed in order, as weighted() does, so both give the same bits; successive p are independent,
            // so out-of-order execution overlaps their chains.
            FloatVector a = FloatVector.fromArray(S, buf, p + o0).mul(w0);
            a = FloatVector.fromArray(S, buf, p + o1).fma(w1, a);
            a = FloatVector.fromArray(S, buf, p + o2).fma(w2, a);
            a = FloatVector.fromArray(S, buf, p + o3).fma(w3, a);
            a = FloatVector.fromArray(S, buf, p + o4).fma(w4, a);
            a = FloatVector.fromArray(S, buf, p + o5).fma(w5, a);
            a = FloatVector.fromArray(S, buf, p + o6).fma(w6, a);
            a = FloatVector.fromArray(S, buf, p + o7).fma(w7, a);
            a = FloatVector.fromArray(S, buf, p + o8).fma(w8, a);
            a.intoArray(wide, p);
        }
    }

    private void max(float[] buf, float[] wide) {
        int taps = tapOffset.length;
        for (int p = 0; p < wideLength; p += BLOCK * L) {
            int b0 = p + tapOffset[0];
            FloatVector a0 = FloatVector.fromArray(S, buf, b0);
            FloatVector a1 = FloatVector.fromArray(S, buf, b0 + L);
            FloatVector a2 = FloatVector.fromArray(S, buf, b0 + 2 * L);
            FloatVector a3 = FloatVector.fromArray(S, buf, b0 + 3 * L);
            for (int t = 1; t < taps; t++) {
                // Selected by comparison, inline: see FastMinMax for why not FloatVector.max, and a call taking
                // and returning vectors that C2 does not inline boxes them.
                int b = p + tapOffset[t];
                FloatVector v0 = FloatVector.fromArray(S, buf, b);
                FloatVector v1 = FloatVector.fromArray(S, buf, b + L);
                FloatVector v2 = FloatVector.fromArray(S, buf, b + 2 * L);
                FloatVector v3 = FloatVector.fromArray(S, buf, b + 3 * L);
                a0 = a0.blend(v0, a0.compare(VectorOperators.LT, v0));
                a1 = a1.blend(v1, a1.compare(VectorOperators.LT, v1));
                a2 = a2.blend(v2, a2.compare(VectorOperators.LT, v2));
                a3 = a3.blend(v3, a3.compare(VectorOperators.LT, v3));
            }
            a0.intoArray(wide, p);
            a1.intoArray(wide, p + L);
            a2.intoArray(wide, p + 2 * L);
            a3.intoArray(wide, p + 3 * L);
        }
    }

    /**
     * Max pooling at stride 1 by doubling spans: {@code wide[q]} becomes the max of {@code buf[q, q + 2)}, then of
     * spans of 4, 8, … (each the max of two overlapping halves, shifted by the half), and a last pass shifted by
     * kernelW − span makes it the max of {@code buf[q, q + kernelW)}; the same down the columns with shifts of whole
     * rows (pitch) gives the window. Every pass runs in place over {@link #doublingExtent} wide indexes, ascending (a
     * vector is loaded before the store that overwrites it, and later vectors read only positions not yet stored);
     * positions past what a pass computes hold older values, which only reach wide indexes nobody copies out.
     */
    private void maxByDoubling(float[] buf, float[] wide) {
        int e = doublingExtent;
        int kw = g.kernelW();
        int kh = g.kernelH();
        int span = 1;
        if (kw == 1) {
            System.arraycopy(buf, 0, wide, 0, e);
        } else {
            shiftMax(buf, wide, e, 1);
            span = 2;
            for (; 2 * span <= kw; span *= 2) {
                shiftMax(wide, wide, e, span);
            }
            if (span < kw) {
                shiftMax(wide, wide, e, kw - span);
            }
        }
        span = 1;
        for (; 2 * span <= kh; span *= 2) {
            shiftMax(wide, wide, e, span * pitch);
        }
        if (span < kh) {
            shiftMax(wide, wide, e, (kh - span) * pitch);
        }
    }

    /** {@code to[q] = max(from[q], from[q + shift])} for q in [0, e), ascending (in place when the arrays are one). */
    private static void shiftMax(float[] from, float[] to, int e, int shift) {
        for (int q = 0; q < e; q += L) {
            FloatVector a = FloatVector.fromArray(S, from, q);
            FloatVector b = FloatVector.fromArray(S, from, q + shift);
            a.blend(b, a.compare(VectorOperators.LT, b)).intoArray(to, q);
        }
    }

    private void average(float[] buf, float[] wide) {
        int taps = tapOffset.length;
        for (int p = 0; p < wideLength; p += BLOCK * L) {
            int b0 = p + tapOffset[0];
            FloatVector a0 = FloatVector.fromArray(S, buf, b0);
            FloatVector a1 = FloatVector.fromArray(S, buf, b0 + L);
            FloatVector a2 = FloatVector.fromArray(S, buf, b0 + 2 * L);
            FloatVector a3 = FloatVector.fromArray(S, buf, b0 + 3 * L);
            for (int t = 1; t < taps; t++) {
                int b = p + tapOffset[t];
                a0 = a0.add(FloatVector.fromArray(S, buf, b));
                a1 = a1.add(FloatVector.fromArray(S, buf, b + L));
                a2 = a2.add(FloatVector.fromArray(S, buf, b + 2 * L));
                a3 = a3.add(FloatVector.fromArray(S, buf, b + 3 * L));
            }
            a0.mul(FloatVector.fromArray(S, scale, p)).intoArray(wide, p);
            a1.mul(FloatVector.fromArray(S, scale, p + L)).intoArray(wide, p + L);
            a2.mul(FloatVector.fromArray(S, scale, p + 2 * L)).intoArray(wide, p + 2 * L);
            a3.mul(FloatVector.fromArray(S, scale, p + 3 * L)).intoArray(wide, p + 3 * L);
        }
    }

    /**
     * Copies input plane {@code plane} into the inside of {@code buf}, phase-split by the strides; the padding is in
     * place. For {@link #depthwiseOnCodes} with stride 1 the rows are quantized straight into the buffer, the zeros
     * the quantizer writes past each row being its right and the next row's left padding; with other strides the plane
     * is first quantized into {@code planeCodes} and copied from there. Code 0 is the value 0, so the padding stays
     * right.
     */
    private void fillBuffer(float[] in, int plane, float[] buf, float[] planeCodes) {
        int sw = g.strideW();
        int iw = g.inW();
        float[] src = in;
        int base = plane * g.inH() * iw;
        ActivationQuantizer[] inputCodes = codesIn ? null : this.inputCodes;
        if (inputCodes != null && sw == 1 && g.strideH() == 1 && rowTarget.length > 0) {
            ActivationQuantizer q = inputCodes[plane % g.inChannels()];
            int first = columnFirst[0];
            int n = columnEnd[0] - first;
            int rows = rowTarget.length;
            int from = base + columnShift[0] + first;
            q.quantize(in, from, iw, buf, rowTarget[0] + first, n, rows - 1, pitch);
            q.quantize(in, from + (rows - 1) * iw, iw, buf, rowTarget[rows - 1] + first, n, 1, n);
            return;
        }
        if (inputCodes != null) {
            inputCodes[plane % g.inChannels()].quantize(in, base, planeCodes, 0, g.inH() * iw);
            src = planeCodes;
            base = 0;
        }
        int phaseBlock = phaseRows * pitch;
        for (int iy = 0; iy < rowTarget.length; iy++) {
            for (int phase = 0; phase < sw; phase++) {
                copyStrided(src, base + iy * iw + columnShift[phase], sw, buf, rowTarget[iy] + phase * phaseBlock,
                        columnFirst[phase], columnEnd[phase]);
            }
        }
    }

    /** Copies {@code n} floats with vectors and a masked tail: planes' rows are too short for arraycopy's set-up. */
    private static void copyRow(float[] from, int src, float[] to, int dst, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, from, src + i).intoArray(to, dst + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, from, src + i, m).intoArray(to, dst + i, m);
        }
    }

    /**
     * Both column phases of one input row in one pass: {@code buf[de + j] = in[src + 2j]} and
     * {@code buf[dodd + j] = in[src + 2j + 1]} for j in [0, len), in whole vectors, writing up to
     * {@code roundUp(len, L) - len} floats past each (the caller leaves room there and writes those floats again
     * later) and reading past the row within {@code in}: a 56-wide row's two 28-column phases take two vector steps
     * instead of one and a scalar tail of twelve each.
     */
    static void copyPhasesOver(float[] in, int src, float[] buf, int de, int dodd, int len) {
        int j = 0;
        for (; j < len && src + 2 * j + 2 * L <= in.length; j += L) {
            FloatVector lo = FloatVector.fromArray(S, in, src + 2 * j);
            FloatVector hi = FloatVector.fromArray(S, in, src + 2 * j + L);
            EVEN_LANES.selectFrom(lo, hi).intoArray(buf, de + j);
            ODD_LANES.selectFrom(lo, hi).intoArray(buf, dodd + j);
        }
        for (; j < len; j++) {
            buf[de + j] = in[src + 2 * j];
            buf[dodd + j] = src + 2 * j + 1 < in.length ? in[src + 2 * j + 1] : 0f;
        }
    }

    /** Floats {@link #copyPhasesOver} may write past a row's end. */
    static int overrun() {
        return L;
    }

    /**
     * {@code buf[d + j] = in[src + j * step]} for j in [first, end): stride 2 with two-vector lane selections (also
     * {@link Im2col}'s strided rows), others scalar.
     */
    static void copyStrided(float[] in, int src, int step, float[] buf, int d, int first, int end) {
        if (step == 1) {
            copyRow(in, src + first, buf, d + first, end - first);
            return;
        }
        int j = first;
        if (step == 2) {
            for (; j + L <= end && src + 2 * j + 2 * L <= in.length; j += L) {
                FloatVector lo = FloatVector.fromArray(S, in, src + 2 * j);
                FloatVector hi = FloatVector.fromArray(S, in, src + 2 * j + L);
                EVEN_LANES.selectFrom(lo, hi).intoArray(buf, d + j);
            }
        }
        for (; j < end; j++) {
            buf[d + j] = in[src + j * step];
        }
    }
}
