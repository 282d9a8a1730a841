package dev.infero.cpu;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.QuantizedConvKernel;
import dev.infero.cpu.kernels.U8S8Conv;
import dev.infero.cpu.jit.U8S8ConvTiles;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.Set;
import jdk.incubator.vector.FloatVector;

/**
 * Recognises a (Group)Convolution of an INT8 model in OpenVINO's form — its data input a per-tensor FakeQuantize
 * with an integer zero point, its weights INT8 codes times one scale per output channel
 * ({@code Multiply(Convert(i8 Const), scale)}, possibly reshaped) — and runs it on the codes: the step reads the
 * FakeQuantize's input and quantizes it itself, and the post-ops dequantize with {@code step · scale[c]}. Anything
 * else (fractional zero point, per-channel activation ranges, float weights) is left to the float kernels.
 */
final class QuantizedConvolution {
    private static final Set<String> SHAPE_ONLY = Set.of("Reshape", "Squeeze", "Unsqueeze");

    /** The FakeQuantize to fuse, the value it quantizes and the kernel. */
    record Plan(Node fakeQuantize, Value source, Kernel kernel) {
    }

    private QuantizedConvolution() {
    }

    /**
     * The INT8 plan for {@code conv}, or {@code null}. {@code post} are the fused post-ops without any per-channel
     * scale; {@code scale} a folded BatchNorm's scale, or {@code null}.
     */
    static Plan plan(Node conv, ConvGeometry g, PostOps post, float[] scale) {
        if (g.isDepthwise()) {
            return null; // one output row per group: the window kernel beats a GEMM; its FakeQuantize runs alone
        }
        Node fq = conv.input(0).node();
        ActivationQuantizer quantizer = quantizerOf(fq);
        float[][] weights = quantizer == null ? null : weightCodes(conv.input(1), g.outChannels());
        if (weights == null) {
            return null;
        }
        float[] dequantize = new float[g.outChannels()];
        for (int c = 0; c < dequantize.length; c++) {
            dequantize[c] = (float) (quantizer.step() * weights[1][c] * (scale == null ? 1 : scale[c]));
        }
        QuantizedConvKernel kernel = new QuantizedConvKernel(g, weights[0], quantizer, post.scaledBy(dequantize));
        kernel = withGeneratedTiles(kernel, g, weights[0], quantizer);
        return new Plan(fq, fq.input(0), new QuantizedConvolutionKernel(kernel, post));
    }

    /**
     * {@code kernel} on integer tiles generated for this layer ({@link U8S8ConvTiles}: {@code vpdpbusd} with
     * AVX512_VNNI, {@code vpmaddwd} on AVX2) when the JIT is on, else as it is.
     */
    static QuantizedConvKernel withGeneratedTiles(QuantizedConvKernel kernel, ConvGeometry g, float[] weightCodes,
                                                  ActivationQuantizer quantizer) {
        if (!U8S8Conv.fits(g)) {
            return kernel;
        }
        U8S8Conv.Form form = U8S8ConvTiles.form();
        if (form == null) {
            return kernel;
        }
        U8S8Conv layout = new U8S8Conv(g, weightCodes, quantizer, form);
        U8S8Conv.Tiles tiles = U8S8ConvTiles.create(layout);
        return tiles == null ? kernel : kernel.onTiles(layout, tiles);
    }

    /**
     * One quantizer per channel of a FakeQuantize over NCHW data whose ranges are constant per tensor or per channel,
     * output range equal to input range, integer zero points; {@code null} otherwise.
     */
    static ActivationQuantizer[] channelQuantizers(Node fq) {
        if (fq == null || !(fq.op() instanceof FakeQuantize op) || fq.input(0).type() != ElementType.F32
                || !fq.input(0).shape().isStatic() || fq.input(0).shape().rank() != 4
                || !fq.input(0).shape().equals(fq.output(0).shape())) {
            return null;
        }
        int channels = fq.input(0).shape().dim(1);
        float[][] range = new float[4][];
        for (int i = 0; i < 4; i++) {
            Value v = fq.input(1 + i);
            if (!v.isKnown() || v.type() != ElementType.F32) {
                return null;
            }
            Tensor t = v.knownValue();
            int[] shape = t.shape();
            boolean perChannel = t.size() == channels && shape.length == 4 && shape[1] == channels;
            if (t.size() != 1 && !perChannel) {
                return null;
            }
            range[i] = t.floats();
        }
        long levels = op.levels();
        ActivationQuantizer[] out = new ActivationQuantizer[channels];
        for (int c = 0; c < channels; c++) {
            float[] r = new float[4];
            for (int i = 0; i < 4; i++) {
                r[i] = range[i][range[i].length == 1 ? 0 : c];
            }
            out[c] = r[0] == r[2] && r[1] == r[3] ? ActivationQuantizer.of(r[0], r[1], levels) : null;
            if (out[c] == null) {
                return null;
            }
        }
        return out;
    }

    /** The codes of a per-tensor, 256-level-or-fewer FakeQuantize whose output range is its input range. */
    static ActivationQuantizer quantizerOf(Node fq) {
        if (fq == null || !(fq.op() instanceof FakeQuantize op) || fq.input(0).type() != ElementType.F32
                || !fq.input(0).shape().equals(fq.output(0).shape())) {
            return null;
        }
        float[] range = new float[4];
        for (int i = 0; i < 4; i++) {
            Value v = fq.input(1 + i);
            if (!v.isKnown() || v.type() != ElementType.F32 || v.knownValue().size() != 1) {
                return null;
            }
            range[i] = v.knownValue().floats()[0];
        }
        if (range[0] != range[2] || range[1] != range[3]) {
            return null;
        }
        long levels = op.levels();
        return ActivationQuantizer.of(range[0], range[1], levels);
    }

    /**
     * {codes, per-channel scales} of weights computed as INT8 codes times one scale per output channel, found
     * through the producer chain and checked against the folded weights element by element; {@code null} otherwise.
     */
    static float[][] weightCodes(Value weights, int outChannels) {
        return weightCodes(weights, outChannels, false);
    }

    /**
     * As {@link #weightCodes(Value, int)}, for weights whose last dimension is the output channel when
     * {@code channelsLast} (a MatMul's {@code [K, N]}), else the first.
     */
    static float[][] weightCodes(Value weights, int outChannels, boolean channelsLast) {
        Node mul = weights.node();
        while (mul != null && SHAPE_ONLY.contains(mul.type())) {
            mul = mul.input(0).node();
        }
        if (mul == null || !(mul.op() instanceof Multiply) || !weights.isKnown()
                || weights.knownValue().type() != ElementType.F32) {
            return null;
        }
        float[] folded = weights.knownValue().floats();
        for (int side = 0; side < 2; side++) {
            Node convert = mul.input(side).node();
            Value scale = mul.input(1 - side);
            if (convert == null || !(convert.op() instanceof Convert) || !convert.input(0).isKnown()
                    || convert.input(0).knownValue().type() != ElementType.I8 || !scale.isKnown()
                    || scale.knownValue().type() != ElementType.F32) {
                continue;
            }
            Tensor codes = convert.input(0).knownValue();
            float[] s = scale.knownValue().floats();
            if (codes.size() != folded.length || s.length != outChannels && s.length != 1) {
                continue;
            }
            byte[] q = codes.bytes();
            int inner = channelsLast ? 1 : folded.length / outChannels;
            float[] scales = new float[outChannels];
            for (int c = 0; c < outChannels; c++) {
                scales[c] = s[s.length == 1 ? 0 : c];
            }
            float[] out = new float[folded.length];
            for (int i = 0; i < folded.length; i++) {
                out[i] = q[i];
                if (q[i] * scales[i / inner % outChannels] != folded[i]) {
                    return null; // not one scale per output channel after all
                }
            }
            return new float[][] {out, scales};
        }
        return null;
    }

    /** The step kernel: an INT8 convolution with its dequantizing post-ops. */
    static final class QuantizedConvolutionKernel implements CodesWriter {
        private static final String ISA = "vector" + FloatVector.SPECIES_PREFERRED.vectorBitSize();

        private final QuantizedConvKernel conv;
        private final String execType;

        QuantizedConvolutionKernel(QuantizedConvKernel conv, PostOps unscaled) {
            this.conv = conv;
            String post = unscaled.isIdentity() ? "" : "+" + unscaled.describe();
            this.execType = conv.strategy() + (conv.onTiles() ? "" : "_" + ISA) + "_I8+scale" + post;
        }

        private QuantizedConvolutionKernel(QuantizedConvKernel conv, String execType) {
            this.conv = conv;
            this.execType = execType;
        }

        /** This step reading codes that the step before wrote (see {@link QuantizedConvKernel#readingCodes}). */
        QuantizedConvolutionKernel readingCodes() {
            return new QuantizedConvolutionKernel(conv.readingCodes(), execType);
        }

        @Override
        public boolean canWriteCodes() {
            return true;
        }

        /** This step writing the codes of the INT8 layers after it (see {@link QuantizedConvKernel#writingCodes}). */
        @Override
        public QuantizedConvolutionKernel writingCodes(ActivationQuantizer[] perChannel) {
            return new QuantizedConvolutionKernel(conv.writingCodes(perChannel), execType + "+quantize");
        }

        @Override
        public String execType() {
            return execType;
        }

        @Override
        public Object newScratch(int threads) {
            return conv.newScratch(threads);
        }

        @Override
        public int transientFloats() {
            return conv.codesFloats();
        }

        @Override
        public Object newScratch(int threads, float[] transientBuffer) {
            return conv.newScratch(threads, transientBuffer);
        }

        @Override
        public void run(Tensor[] inputs, Tensor[] outputs, Object scratch, WorkerPool pool) {
            QuantizedConvKernel.Scratch s = scratch != null ? (QuantizedConvKernel.Scratch) scratch
                    : conv.newScratch(pool.threads());
            float[] residual = inputs.length > 1 ? inputs[1].floats() : null;
            conv.run(inputs[0].floats(), outputs[0].floats(), residual, s, pool);
        }
    }
}
