package dev.infero.cpu.kernels;

import dev.infero.core.ops.eltwise.FloatExp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What a convolution or matrix multiply applies to its result before storing it, fused so the output is written
 * once: optionally a per-channel scale (a folded BatchNorm, applied to the finished sum as the op does, rather
 * than baked into the weights), a per-channel bias, then optionally a residual tensor added element-wise, then an activation. Immutable.
 */
public final class PostOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    /** Activations that fuse into a kernel's store. */
    public enum Activation { NONE, RELU, CLAMP, LEAKY_RELU, PRELU, SIGMOID, HSWISH, SWISH, ELU }

    public static final PostOps NONE = new PostOps(null, false, Activation.NONE, 0, 0);

    private final float[] scale;
    private final float[] bias;
    private final boolean residual;
    private final Activation activation;
    private final float alpha;
    private final float beta;
    /** PRELU: the negative slope of each output channel. */
    private final float[] slopes;
    /** Whether the result arrives as int32 sums in raw bits (see {@link PackedGemm#kernel}), converted first. */
    private final boolean integerSums;
    /** Per output channel, the quantizer whose codes are written instead of the values; or {@code null}. */
    private final ActivationQuantizer[] codes;

    /**
     * @param bias       one value per output channel, or {@code null}
     * @param residual   whether a same-shaped tensor is added after the bias
     * @param activation what to apply last
     * @param alpha      CLAMP: min; LEAKY_RELU: slope; ELU: alpha; SWISH: beta
     * @param beta       CLAMP: max
     */
    public PostOps(float[] bias, boolean residual, Activation activation, float alpha, float beta) {
        this(null, bias, residual, activation, alpha, beta, null, false, null);
    }

    private PostOps(float[] scale, float[] bias, boolean residual, Activation activation, float alpha, float beta,
                    float[] slopes, boolean integerSums, ActivationQuantizer[] codes) {
        this.scale = scale;
        this.bias = bias;
        this.residual = residual;
        this.activation = activation;
        this.alpha = alpha;
        this.beta = beta;
        this.slopes = slopes;
        this.integerSums = integerSums;
        this.codes = codes;
    }

    /** Bias and residual as given, then PReLU with one negative slope per output channel. */
    public static PostOps withPerChannelSlopes(float[] bias, boolean residual, float[] slopes) {
        return new PostOps(null, bias, residual, Activation.PRELU, 0, 0, slopes, false, null);
    }

    /** These post-ops with the raw result first multiplied by one factor per output channel. */
    public PostOps scaledBy(float[] perChannel) {
        return new PostOps(perChannel, bias, residual, activation, alpha, beta, slopes, integerSums, codes);
    }

    /**
     * These post-ops on a result that the micro-kernel accumulated as int32 sums in the floats' raw bits (INT8 layers
     * whose sums could pass 2^24): kernels then run {@link PackedGemm#kernel} with {@code integerSums}, and
     * {@link #apply} converts the sums to floats first.
     */
    public PostOps withIntegerSums() {
        return new PostOps(scale, bias, residual, activation, alpha, beta, slopes, true, codes);
    }

    /**
     * These post-ops, then the codes of each output channel's quantizer written in place of the values: the layer's
     * output feeds a FakeQuantize whose only readers are INT8 layers, which then read the codes as they are.
     */
    public PostOps writingCodes(ActivationQuantizer[] perChannel) {
        return new PostOps(scale, bias, residual, activation, alpha, beta, slopes, integerSums, perChannel);
    }

    /**
     * The post-ops of one product whose output channels are {@code parts}' channels one after the other
     * ({@code channels[i]} of them for {@code parts[i]}): sibling convolutions run as one. Scale, bias and PReLU
     * slopes are concatenated (an absent scale as ones, an absent bias as zeros, which give the same floats). The
     * activation is the parts' one when they all have the same (kind and scalar parameters); parts that mix none,
     * ReLU, leaky ReLU and PReLU get PReLU with a negative slope per channel (1 for none, 0 for ReLU, alpha for leaky
     * ReLU), which computes the same values (a ReLU's negative inputs may then give -0 instead of 0). None may add a
     * residual, take int32 sums or write codes. {@code null} when they cannot be one.
     */
    public static PostOps concatenated(PostOps[] parts, int[] channels) {
        PostOps first = parts[0];
        boolean same = true;
        boolean piecewiseLinear = true;
        boolean anyScale = false;
        boolean anyBias = false;
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            PostOps p = parts[i];
            if (p.residual || p.integerSums || p.codes != null) {
                return null;
            }
            same &= p.activation == first.activation && Float.compare(p.alpha, first.alpha) == 0
                    && Float.compare(p.beta, first.beta) == 0;
            piecewiseLinear &= p.activation == Activation.NONE || p.activation == Activation.RELU
                    || p.activation == Activation.LEAKY_RELU || p.activation == Activation.PRELU;
            anyScale |= p.scale != null;
            anyBias |= p.bias != null;
            total += channels[i];
        }
        if (!same && !piecewiseLinear) {
            return null;
        }
        Activation activation = same ? first.activation : Activation.PRELU;
        float[] scale = anyScale ? new float[total] : null;
        float[] bias = anyBias ? new float[total] : null;
        float[] slopes = activation == Activation.PRELU ? new float[total] : null;
        for (int i = 0, c0 = 0; i < parts.length; c0 += channels[i], i++) {
            PostOps p = parts[i];
            for (int c = 0; c < channels[i]; c++) {
                if (scale != null) {
                    scale[c0 + c] = p.scale == null ? 1f : p.scale[c];
                }
                if (bias != null) {
                    bias[c0 + c] = p.bias == null ? 0f : p.bias[c];
                }
                if (slopes != null) {
                    slopes[c0 + c] = switch (p.activation) {
                        case PRELU -> p.slopes[c];
                        case LEAKY_RELU -> p.alpha;
                        case RELU -> 0f;
                        default -> 1f;
                    };
                }
            }
        }
        return same ? new PostOps(scale, bias, false, activation, first.alpha, first.beta, slopes, false, null)
                : new PostOps(scale, bias, false, activation, 0, 0, slopes, false, null);
    }

    /** Whether the result arrives as int32 sums in raw bits (see {@link #withIntegerSums}). */
    public boolean integerSums() {
        return integerSums;
    }

    /** The per-channel bias when it is all these post-ops do (no scale, residual, activation, conversion), or null. */
    public float[] onlyBias() {
        boolean only = scale == null && !residual && activation == Activation.NONE && !integerSums && codes == null;
        return only ? bias : null;
    }

    /**
     * The activation of these post-ops alone (no scale, bias or residual; PReLU's slopes are per channel, so not
     * for PReLU), for kernels that apply the rest themselves and leave the activation to a pass of
     * {@link #apply} over what they wrote.
     */
    PostOps activationOnly() {
        if (activation == Activation.PRELU) {
            throw new IllegalStateException("PReLU's slopes are per channel");
        }
        return new PostOps(null, false, activation, alpha, beta);
    }

    /** Whether {@link MicroKernel}'s generated code can apply these post-ops in registers. */
    boolean jitFusable() {
        return !integerSums && codes == null;
    }

    /** PReLU's negative slope per output channel, or null for other activations. */
    float[] jitSlopes() {
        return activation == Activation.PRELU ? slopes : null;
    }

    float[] jitScale() {
        return scale;
    }

    float[] jitBias() {
        return bias;
    }

    dev.infero.cpu.jit.GemmKernel.Activation jitActivation() {
        return switch (activation) {
            case RELU -> dev.infero.cpu.jit.GemmKernel.Activation.RELU;
            case CLAMP -> dev.infero.cpu.jit.GemmKernel.Activation.CLAMP;
            case SIGMOID -> dev.infero.cpu.jit.GemmKernel.Activation.SIGMOID;
            case SWISH -> dev.infero.cpu.jit.GemmKernel.Activation.SWISH;
            case ELU -> dev.infero.cpu.jit.GemmKernel.Activation.ELU;
            case LEAKY_RELU -> dev.infero.cpu.jit.GemmKernel.Activation.LEAKY_RELU;
            case HSWISH -> dev.infero.cpu.jit.GemmKernel.Activation.HSWISH;
            case PRELU -> dev.infero.cpu.jit.GemmKernel.Activation.PRELU;
            default -> dev.infero.cpu.jit.GemmKernel.Activation.NONE;
        };
    }

    float jitAlpha() {
        return alpha;
    }

    /** {@link #jitAlpha} for one channel: PReLU's negative slope of {@code channel}, else alpha. */
    float jitAlpha(int channel) {
        return activation == Activation.PRELU ? slopes[channel] : alpha;
    }

    /**
     * The activation {@link dev.infero.cpu.jit.DepthwiseKernel}'s generated code applies in registers, or
     * {@code null} when it cannot apply all of these post-ops (int32 sums, codes).
     */
    dev.infero.cpu.jit.DepthwiseKernel.Activation depthwiseJitActivation() {
        if (integerSums || codes != null) {
            return null;
        }
        return switch (activation) {
            case NONE -> dev.infero.cpu.jit.DepthwiseKernel.Activation.NONE;
            case RELU -> dev.infero.cpu.jit.DepthwiseKernel.Activation.RELU;
            case CLAMP -> dev.infero.cpu.jit.DepthwiseKernel.Activation.CLAMP;
            case LEAKY_RELU, PRELU -> dev.infero.cpu.jit.DepthwiseKernel.Activation.PRELU;
            case HSWISH -> dev.infero.cpu.jit.DepthwiseKernel.Activation.HSWISH;
            case SIGMOID -> dev.infero.cpu.jit.DepthwiseKernel.Activation.SIGMOID;
            case ELU -> dev.infero.cpu.jit.DepthwiseKernel.Activation.ELU;
            case SWISH -> dev.infero.cpu.jit.DepthwiseKernel.Activation.SWISH;
        };
    }

    float jitBeta() {
        return beta;
    }

    /** Epilogue flags of generated INT8 tiles (see {@link #int8EpilogueFlags}). */
    public static final int EPILOGUE_CONVERT = 1, EPILOGUE_RELU = 2, EPILOGUE_PRELU = 4, EPILOGUE_RESIDUAL = 8,
            EPILOGUE_CODES = 16, EPILOGUE_SIGMOID = 32, EPILOGUE_SWISH = 64;
    /**
     * Sections of {@link #int8EpilogueTable}, each one float per output channel: scale, bias, negative slope, then
     * the output quantizer's multiplier, offset, rounding constant, lowest and highest level bits and the rounding
     * constant plus zero point (see {@link ActivationQuantizer#epilogueEntries}).
     */
    public static final int TABLE_SCALE = 0, TABLE_BIAS = 1, TABLE_SLOPE = 2, TABLE_Q_INVERSE = 3,
            TABLE_Q_OFFSET = 4, TABLE_Q_ROUND = 5, TABLE_Q_LOWEST = 6, TABLE_Q_HIGHEST = 7, TABLE_Q_ROUND_ZERO = 8,
            TABLE_SECTIONS = 9;

    /**
     * What generated INT8 tiles apply to their int32 sums in registers, as flags, or -1 when they cannot apply all of
     * these post-ops: conversion, {@code fma(sum, scale, bias)} (as {@link #apply}), the residual (only where it is
     * laid out as the tiles' output, {@code residualAligned}), ReLU, PReLU or leaky ReLU, then the codes of the next
     * INT8 layer (requantization in the producer's store).
     */
    public int int8EpilogueFlags(boolean residualAligned) {
        if (residual && !residualAligned) {
            return -1;
        }
        int flags = EPILOGUE_CONVERT | (residual ? EPILOGUE_RESIDUAL : 0) | (codes != null ? EPILOGUE_CODES : 0);
        return switch (activation) {
            case NONE -> flags;
            case RELU -> flags | EPILOGUE_RELU;
            case PRELU, LEAKY_RELU -> flags | EPILOGUE_PRELU;
            case SIGMOID -> flags | EPILOGUE_SIGMOID;
            case SWISH -> flags | EPILOGUE_SWISH;
            default -> -1;
        };
    }

    /** The per-channel constants the flags of {@link #int8EpilogueFlags} read, {@link #TABLE_SECTIONS} sections. */
    public float[] int8EpilogueTable(int channels) {
        float[] t = new float[TABLE_SECTIONS * channels];
        for (int c = 0; c < channels; c++) {
            t[TABLE_SCALE * channels + c] = scale == null ? 1f : scale[c];
            t[TABLE_BIAS * channels + c] = bias == null ? 0f : bias[c];
            t[TABLE_SLOPE * channels + c] = activation == Activation.PRELU ? slopes[c] : alpha;
            if (codes != null) {
                codes[c].epilogueEntries(t, c, channels);
            }
        }
        return t;
    }

    /**
     * {@link #apply} on one int32 sum's bits as the generated epilogue computes it ({@code flags} from
     * {@link #int8EpilogueFlags}): the statement of the tiles' arithmetic for the plain-Java tiles.
     */
    public static float int8Epilogue(float sumBits, float residualValue, float[] table, int channel, int channels,
                                     int flags) {
        float v = Math.fma((float) Float.floatToRawIntBits(sumBits), table[TABLE_SCALE * channels + channel],
                table[TABLE_BIAS * channels + channel]);
        if ((flags & EPILOGUE_RESIDUAL) != 0) {
            v += residualValue;
        }
        if ((flags & EPILOGUE_RELU) != 0) {
            v = Float.intBitsToFloat(Math.max(Float.floatToRawIntBits(v), 0));
        }
        if ((flags & EPILOGUE_PRELU) != 0 && v < 0) {
            v *= table[TABLE_SLOPE * channels + channel];
        }
        if ((flags & EPILOGUE_SIGMOID) != 0) {
            v = dev.infero.cpu.jit.VectorExp.sigmoidScalar(v);
        }
        if ((flags & EPILOGUE_SWISH) != 0) {
            v = dev.infero.cpu.jit.VectorExp.swishScalar(v, table[TABLE_SLOPE * channels + channel]);
        }
        if ((flags & EPILOGUE_CODES) != 0) {
            float t = Math.fma(v, table[TABLE_Q_INVERSE * channels + channel], table[TABLE_Q_OFFSET * channels + channel])
                    + table[TABLE_Q_ROUND * channels + channel];
            int bits = Math.min(Math.max(Float.floatToRawIntBits(t),
                    Float.floatToRawIntBits(table[TABLE_Q_LOWEST * channels + channel])),
                    Float.floatToRawIntBits(table[TABLE_Q_HIGHEST * channels + channel]));
            v = Float.intBitsToFloat(bits) - table[TABLE_Q_ROUND_ZERO * channels + channel];
        }
        return v;
    }

    public boolean hasResidual() {
        return residual;
    }

    public boolean isIdentity() {
        return scale == null && bias == null && !residual && activation == Activation.NONE;
    }

    /** A short description for per-layer counters, e.g. {@code bias+relu}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (scale != null) {
            sb.append("scale");
        }
        if (bias != null) {
            sb.append(sb.isEmpty() ? "" : "+").append("bias");
        }
        if (residual) {
            sb.append(sb.isEmpty() ? "" : "+").append("add");
        }
        if (activation != Activation.NONE) {
            sb.append(sb.isEmpty() ? "" : "+").append(activation.name().toLowerCase(java.util.Locale.ROOT));
        }
        return sb.toString();
    }

    /**
     * Applies the post-ops to {@code n} consecutive values of channel {@code channel} at {@code data[off..]};
     * {@code res} holds the residual at the same offset (ignored when there is none).
     */
    public void apply(float[] data, int off, int n, int channel, float[] res) {
        if (integerSums) {
            sumsToFloats(data, off, n);
        }
        if (isIdentity()) {
            writeCodes(data, off, n, channel);
            return;
        }
        // No vector passes through a call of ours here (docs/performance.md, "Allocation-free inference"): C2
        // inlines a helper only when its call site was frequent enough in the profile it compiles from, and compiled
        // while mostly plain post-ops had run, this method called FastMinMax.relu out of line and boxed every vector.
        // So each loop writes its steps out, and the other activations run as a second pass over the row (in L1).
        float b = bias == null ? 0f : bias[channel];
        float a = activation == Activation.PRELU ? slopes[channel] : alpha;
        float sc = scale == null ? 1f : scale[channel];
        FloatVector vb = FloatVector.broadcast(S, b);
        FloatVector vs = FloatVector.broadcast(S, sc);
        int i = S.loopBound(n);
        // Always x·scale + bias (1 and 0 when absent, exact), then the residual, then ReLU (FastMinMax's rule: an
        // integer max on the bits), each combination a loop of its own: a vector chosen by a condition is a phi
        // that C2 may fail to keep unboxed.
        boolean relu = activation == Activation.RELU;
        if (residual && relu) {
            for (int j = 0; j < i; j += S.length()) {
                FloatVector.fromArray(S, data, off + j).fma(vs, vb).add(FloatVector.fromArray(S, res, off + j))
                        .reinterpretAsInts().max(0).reinterpretAsFloats().intoArray(data, off + j);
            }
        } else if (residual) {
            for (int j = 0; j < i; j += S.length()) {
                FloatVector.fromArray(S, data, off + j).fma(vs, vb).add(FloatVector.fromArray(S, res, off + j))
                        .intoArray(data, off + j);
            }
        } else if (relu) {
            for (int j = 0; j < i; j += S.length()) {
                FloatVector.fromArray(S, data, off + j).fma(vs, vb).reinterpretAsInts().max(0).reinterpretAsFloats()
                        .intoArray(data, off + j);
            }
        } else {
            for (int j = 0; j < i; j += S.length()) {
                FloatVector.fromArray(S, data, off + j).fma(vs, vb).intoArray(data, off + j);
            }
        }
        if (!relu && activation != Activation.NONE) {
            activateVectors(data, off, i, a);
        }
        for (; i < n; i++) {
            float v = Math.fma(data[off + i], sc, b) + (residual ? res[off + i] : 0f);
            data[off + i] = activate(v, a);
        }
        writeCodes(data, off, n, channel);
    }

    /**
     * These post-ops for results whose consecutive values are consecutive channels (a matrix-vector product's
     * output), over {@code channels} channels.
     */
    public AlongChannels alongChannels(int channels) {
        return new AlongChannels(channels);
    }

    /**
     * {@link PostOps} applied along the channels: value i of a run is channel {@code firstChannel + i}, with the same
     * arithmetic as {@link #apply}. Scale and bias are held as full per-channel vectors (ones and zeros where the
     * post-ops have none), so the loops multiply and add without choosing between vectors (a vector chosen by a
     * condition may stay boxed, see {@link #apply}); a residual, int32 sums and codes go value by value through
     * {@link #apply}.
     */
    public final class AlongChannels {
        private final float[] scales;
        private final float[] biases;
        private final float[] alphas;
        private final boolean byValue;
        private final boolean identity;

        private AlongChannels(int channels) {
            scales = new float[channels];
            biases = new float[channels];
            alphas = new float[channels];
            for (int c = 0; c < channels; c++) {
                scales[c] = scale == null ? 1f : scale[c];
                biases[c] = bias == null ? 0f : bias[c];
                alphas[c] = activation == Activation.PRELU ? slopes[c] : alpha;
            }
            byValue = residual || integerSums || codes != null;
            identity = isIdentity() && !integerSums && codes == null;
        }

        /** The post-ops on {@code data[off .. off + n)}, channels from {@code firstChannel}; {@code res} as in apply. */
        public void apply(float[] data, int off, int n, int firstChannel, float[] res) {
            if (identity) {
                return;
            }
            if (byValue) {
                for (int i = 0; i < n; i++) {
                    PostOps.this.apply(data, off + i, 1, firstChannel + i, res);
                }
                return;
            }
            int i = 0;
            int bound = S.loopBound(n);
            // x·scale + bias and ReLU written out in each loop, other activations a second pass: as in apply, no
            // vector crosses a call.
            switch (activation) {
                case NONE -> {
                    for (; i < bound; i += S.length()) {
                        int c = firstChannel + i;
                        FloatVector.fromArray(S, data, off + i).fma(FloatVector.fromArray(S, scales, c),
                                FloatVector.fromArray(S, biases, c)).intoArray(data, off + i);
                    }
                }
                case RELU -> {
                    for (; i < bound; i += S.length()) {
                        int c = firstChannel + i;
                        FloatVector.fromArray(S, data, off + i).fma(FloatVector.fromArray(S, scales, c),
                                        FloatVector.fromArray(S, biases, c)).reinterpretAsInts().max(0)
                                .reinterpretAsFloats().intoArray(data, off + i);
                    }
                }
                case PRELU, LEAKY_RELU -> {
                    for (; i < bound; i += S.length()) {
                        int c = firstChannel + i;
                        FloatVector v = FloatVector.fromArray(S, data, off + i).fma(FloatVector.fromArray(S, scales, c),
                                FloatVector.fromArray(S, biases, c));
                        v.blend(v.mul(FloatVector.fromArray(S, alphas, c)), v.compare(VectorOperators.LT, 0f))
                                .intoArray(data, off + i);
                    }
                }
                default -> {
                    for (; i < bound; i += S.length()) {
                        int c = firstChannel + i;
                        FloatVector.fromArray(S, data, off + i).fma(FloatVector.fromArray(S, scales, c),
                                FloatVector.fromArray(S, biases, c)).intoArray(data, off + i);
                    }
                    activateVectors(data, off, bound, alpha);
                }
            }
            for (; i < n; i++) {
                int c = firstChannel + i;
                data[off + i] = activate(Math.fma(data[off + i], scales[c], biases[c]), alphas[c]);
            }
        }
    }

    private void writeCodes(float[] data, int off, int n, int channel) {
        if (codes != null) {
            codes[channel].quantize(data, off, data, off, n);
        }
    }

    private static void sumsToFloats(float[] data, int off, int n) {
        int i = 0;
        for (int bound = I.loopBound(n); i < bound; i += I.length()) {
            ((FloatVector) FloatVector.fromArray(S, data, off + i).reinterpretAsInts().convert(VectorOperators.I2F, 0))
                    .intoArray(data, off + i);
        }
        for (; i < n; i++) {
            data[off + i] = Float.floatToRawIntBits(data[off + i]);
        }
    }

    /**
     * The activation (not NONE or RELU, which the callers fuse) on {@code data[off .. off + n)}, {@code n} a multiple
     * of the vector length, {@code alpha} as in {@link #activate(float, float)}. One loop per activation with every
     * step written out, so vectors stay inside the loop (a vector passed to or returned from a method C2 does not
     * inline is boxed). SIGMOID, SWISH and ELU compute {@link FloatExp}'s exp with its vector steps written out in
     * the loop (the constants broadcast here), bit for bit as {@link #activate(float, float)} and the generated
     * kernels: {@code lanewise(EXP)} would change its last bits once C2 compiles the loop (SVML).
     */
    private void activateVectors(float[] data, int off, int n, float alpha) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector lo = FloatVector.broadcast(S, FloatExp.LO);
        FloatVector hi = FloatVector.broadcast(S, FloatExp.HI);
        FloatVector log2e = FloatVector.broadcast(S, FloatExp.LOG2E);
        FloatVector magic = FloatVector.broadcast(S, FloatExp.MAGIC);
        FloatVector ln2Hi = FloatVector.broadcast(S, FloatExp.NEG_LN2_HI);
        FloatVector ln2Lo = FloatVector.broadcast(S, FloatExp.NEG_LN2_LO);
        FloatVector p0 = FloatVector.broadcast(S, FloatExp.P0);
        FloatVector p1 = FloatVector.broadcast(S, FloatExp.P1);
        FloatVector p2 = FloatVector.broadcast(S, FloatExp.P2);
        FloatVector p3 = FloatVector.broadcast(S, FloatExp.P3);
        FloatVector p4 = FloatVector.broadcast(S, FloatExp.P4);
        FloatVector p5 = FloatVector.broadcast(S, FloatExp.P5);
        switch (activation) {
            case NONE, RELU -> throw new IllegalStateException("fused by the caller: " + activation);
            case CLAMP -> FastMinMax.clamp(data, off, n, alpha, beta);
            case LEAKY_RELU, PRELU -> {
                for (int j = 0; j < n; j += S.length()) {
                    FloatVector v = FloatVector.fromArray(S, data, off + j);
                    v.blend(v.mul(alpha), v.compare(VectorOperators.LT, 0f)).intoArray(data, off + j);
                }
            }
            case SIGMOID -> {
                for (int j = 0; j < n; j += S.length()) {
                    // exp(0 - v): clamp, m = round(r · log2 e), r - m · ln 2, the polynomial, 2^m into the exponent.
                    FloatVector r = zero.sub(FloatVector.fromArray(S, data, off + j)).max(lo).min(hi);
                    FloatVector m = r.fma(log2e, magic);
                    IntVector e = m.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
                    m = m.sub(magic);
                    r = m.fma(ln2Lo, m.fma(ln2Hi, r));
                    FloatVector q = p0.fma(r, p1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5).fma(r, one).fma(r, one);
                    one.div(q.reinterpretAsInts().add(e).reinterpretAsFloats().add(one)).intoArray(data, off + j);
                }
            }
            case HSWISH -> {
                for (int j = 0; j < n; j += S.length()) {
                    FloatVector v = FloatVector.fromArray(S, data, off + j);
                    FloatVector t = v.add(3f);
                    v.mul(t.blend(0f, t.compare(VectorOperators.LT, 0f)).blend(6f, t.compare(VectorOperators.GT, 6f)))
                            .mul(1f / 6f).intoArray(data, off + j);
                }
            }
            case SWISH -> {
                for (int j = 0; j < n; j += S.length()) {
                    FloatVector v = FloatVector.fromArray(S, data, off + j);
                    // v · sigmoid(v · alpha), the exp as in SIGMOID.
                    FloatVector r = zero.sub(v.mul(alpha)).max(lo).min(hi);
                    FloatVector m = r.fma(log2e, magic);
                    IntVector e = m.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
                    m = m.sub(magic);
                    r = m.fma(ln2Lo, m.fma(ln2Hi, r));
                    FloatVector q = p0.fma(r, p1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5).fma(r, one).fma(r, one);
                    v.mul(one.div(q.reinterpretAsInts().add(e).reinterpretAsFloats().add(one)))
                            .intoArray(data, off + j);
                }
            }
            case ELU -> {
                for (int j = 0; j < n; j += S.length()) {
                    FloatVector v = FloatVector.fromArray(S, data, off + j);
                    // (exp(v) - 1) · alpha where v < 0, the exp as in SIGMOID.
                    FloatVector r = v.max(lo).min(hi);
                    FloatVector m = r.fma(log2e, magic);
                    IntVector e = m.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
                    m = m.sub(magic);
                    r = m.fma(ln2Lo, m.fma(ln2Hi, r));
                    FloatVector q = p0.fma(r, p1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5).fma(r, one).fma(r, one);
                    v.blend(q.reinterpretAsInts().add(e).reinterpretAsFloats().sub(one).mul(alpha),
                            v.compare(VectorOperators.LT, 0f)).intoArray(data, off + j);
                }
            }
        }
    }

    private float activate(float v, float alpha) {
        return switch (activation) {
            case NONE -> v;
            case RELU -> Math.max(v, 0f);
            case CLAMP -> Math.min(Math.max(v, alpha), beta);
            case LEAKY_RELU, PRELU -> v < 0 ? v * alpha : v;
            // FloatExp's forms, bit for bit as activateVectors' lanes and the generated kernels.
            case SIGMOID -> FloatExp.sigmoid(v);
            case HSWISH -> v * Math.min(Math.max(v + 3f, 0f), 6f) / 6f;
            case SWISH -> FloatExp.swish(v, alpha);
            case ELU -> FloatExp.elu(v, alpha);
        };
    }
}
