package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.ir.IrReader;
import dev.infero.ir.IrWriter;
import dev.infero.testing.GraphBuilder;
import dev.infero.testing.ReferenceRunner;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * INT8 IRs as POT, NNCF and OpenVINO's converters write them run their convolutions and fully connected layers on the
 * INT8 kernels, whatever form their weights take (FakeQuantize of f32 or f16 weights with 255 or 256 levels per
 * tensor or per channel; i8/u8/i4/u4 codes → Convert → optional Subtract of a zero point → Multiply by a scale, the
 * scale stored f32 or f16), with symmetric and asymmetric (integer zero point) activation ranges, and compute what the
 * reference evaluation of the IR as written computes. Each IR is written by {@link IrWriter} and read back as a file.
 * Inputs lie at least a tenth of a step away from the activation levels' rounding boundaries, so both sides pick the
 * same level and the results agree to float rounding.
 */
class QuantizedWeightFormsTest {
    private static final float ACT_STEP = 0.0125f;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}, activations zero point {1}, {2}: {3}")
    @CsvSource({
            "fq255_channel, 0, conv, I8",
            "fq255_channel, 64, conv, I8",
            "fq255_tensor, 128, conv, I8",
            "fq256_channel, 64, conv, I8",
            "fq255_channel_f16, 0, conv, I8",
            "i8_zero_point, 64, conv, I8",
            "u8_zero_point_128, 0, conv, I8",
            "u8_zero_point_channel, 64, conv, I8",
            "u8_scale_f16, 64, conv, I8",
            "i4, 0, conv, I8",
            "u4_zero_point, 64, conv, I8",
            "fq255_channel, 64, matmul, I8",
            "u8_zero_point_channel, 0, matmul, I8",
            "i4, 64, matmul, I8",
            "fq255_channel, 64, group, I8",
            "u8_zero_point_channel, 0, group, I8",
            "u8_no_zero_point, 0, conv, FP32",
            "fq256_symmetric, 0, conv, FP32",
    })
    void weightFormRunsOnTheInt8Kernels(String form, int zeroPoint, String layer, String expected) {
        check(form, zeroPoint, layer, expected, "fq");
    }

    /**
     * OpenVINO's converter form of a quantized activation, {@code FakeQuantize(x, low, high, qmin, qmax, 256) →
     * Convert(u8 or i8) → Convert(f32) → Subtract(zero point) → Multiply(step)} (the codes made explicit), is an INT8
     * activation too ({@code transforms/QuantizedActivations}).
     */
    @ParameterizedTest(name = "{0} codes, zero point {1} (as u8), {2}")
    @CsvSource({
            "converter_u8, 64, conv",
            "converter_u8, 0, matmul",
            "converter_i8, 118, conv",
            "converter_u8, 128, group",
    })
    void converterActivationFormRunsOnTheInt8Kernels(String activations, int zeroPoint, String layer) {
        check("u8_zero_point_channel", zeroPoint, layer, "I8", activations);
    }

    private void check(String form, int zeroPoint, String layer, String expected, String activations) {
        boolean conv = !layer.equals("matmul");
        boolean group = layer.equals("group");
        int cin = 12;
        int cout = 10;
        Random r = new Random(form.hashCode() * 31L + zeroPoint);
        GraphBuilder b = new GraphBuilder("q");
        int[] inShape = conv ? new int[] {2, cin, 9, 11} : new int[] {3, cin * 4};
        Value x = b.input("x", ElementType.F32, inShape);
        float low = -zeroPoint * ACT_STEP;
        float high = (255 - zeroPoint) * ACT_STEP;
        Value fq;
        if (activations.equals("fq")) {
            fq = b.op("fq", new FakeQuantize(256), x, scalar(b, low), scalar(b, high), scalar(b, low),
                    scalar(b, high));
        } else {
            boolean unsigned = activations.equals("converter_u8");
            int qmin = unsigned ? 0 : -128;
            Value codes = b.op("fq_convert", new Convert(unsigned ? ElementType.U8 : ElementType.I8),
                    b.op("fq", new FakeQuantize(256), x, scalar(b, low), scalar(b, high), scalar(b, qmin),
                            scalar(b, qmin + 255)));
            Value centred = b.op("fq_zero", new Subtract(), b.op(new Convert(ElementType.F32), codes),
                    scalar(b, zeroPoint + qmin));
            fq = b.op("fq_scale", new Multiply(), centred, scalar(b, ACT_STEP));
        }
        int[] wShape = group ? new int[] {2, cout / 2, cin / 2, 3, 3}
                : conv ? new int[] {cout, cin, 3, 3} : new int[] {cout, cin * 4};
        Value w = weights(b, form, wShape, r);
        Value y;
        if (conv) {
            WindowGeometry window = new WindowGeometry(new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1},
                    new long[] {1, 1}, AutoPad.EXPLICIT, false);
            y = b.op("layer", group ? new GroupConvolution(window) : new Convolution(window), fq, w);
        } else {
            y = b.op("layer", new MatMul(false, true), fq, w);
        }
        float[] bias = new float[cout];
        for (int c = 0; c < cout; c++) {
            bias[c] = r.nextFloat() - 0.5f;
        }
        int[] biasShape = conv ? new int[] {1, cout, 1, 1} : new int[] {1, cout};
        y = b.op("relu", new Relu(), b.op("bias", new Add(), y, b.constant(Tensor.of(bias, biasShape))));
        b.output(y);
        Path xml = IrWriter.write(b.graph(), dir, form).xml();

        Tensor input = Tensor.allocate(ElementType.F32, inShape);
        float[] in = input.floats();
        for (int i = 0; i < in.length; i++) {
            // a level (a few outside the range), moved by at most 0.4 of a step: never near a rounding boundary
            int level = r.nextInt(276) - 10;
            in[i] = low + (level + (r.nextFloat() - 0.5f) * 0.8f) * ACT_STEP;
        }
        float[] want = ReferenceRunner.run(IrReader.read(xml), input).get(0).toFloatArray();
        try (Core core = new Core(); CompiledModel compiled = core.compileModel(core.readModel(xml), "CPU")) {
            InferRequest request = compiled.createInferRequest();
            request.setProfiling(true);
            request.setInput(0, input);
            request.infer();
            float[] got = request.getOutput(0).toFloatArray();
            String exec = request.getProfilingInfo().stream().filter(p -> p.nodeName().equals("layer"))
                    .map(ProfilingInfo::execType).findFirst().orElseThrow();
            assertEquals(expected.equals("I8"), exec.contains("_I8+scale"), exec);
            assertEquals(want.length, got.length);
            double scale = 0;
            for (float v : want) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(scale > 0.1, "the layer computes something: " + scale);
            for (int i = 0; i < want.length; i++) {
                assertTrue(Math.abs(got[i] - want[i]) <= 2e-6 * scale, "[" + i + "] " + got[i] + " vs " + want[i]
                        + " (" + exec + ")");
            }
        }
    }

    /**
     * Weights of shape {@code [Cout, ...]} (or a GroupConvolution's {@code [G, Cout/G, ...]}) in the given form, one
     * scale per output channel, their float values of magnitude about 0.05.
     */
    private static Value weights(GraphBuilder b, String form, int[] shape, Random r) {
        int channelAxes = shape.length == 5 ? 2 : 1;
        int cout = channelAxes == 2 ? shape[0] * shape[1] : shape[0];
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        int inner = n / cout;
        float[] maxAbs = new float[cout];
        float[] scale = new float[cout];
        for (int c = 0; c < cout; c++) {
            maxAbs[c] = 0.02f + r.nextFloat() * 0.08f;
            scale[c] = maxAbs[c] / 127;
        }
        int[] perChannel = perChannel(shape);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (r.nextFloat() * 2 - 1) * maxAbs[i / inner];
        }
        switch (form) {
            case "fq255_channel", "fq255_channel_f16" -> {
                float[] lo = new float[cout];
                for (int c = 0; c < cout; c++) {
                    lo[c] = -maxAbs[c];
                }
                Value wv = form.endsWith("f16") ? decompressed(b, Tensor.of(values, shape).convertTo(ElementType.F16))
                        : b.constant(Tensor.of(values, shape));
                Value l = b.constant(Tensor.of(lo, perChannel));
                Value h = b.constant(Tensor.of(maxAbs.clone(), perChannel));
                return b.op("w_fq", new FakeQuantize(255), wv, l, h, l, h);
            }
            case "fq255_tensor" -> {
                return b.op("w_fq", new FakeQuantize(255), b.constant(Tensor.of(values, shape)), scalar(b, -0.1f),
                        scalar(b, 0.1f), scalar(b, -0.1f), scalar(b, 0.1f));
            }
            case "fq256_channel", "fq256_symmetric" -> {
                boolean symmetric = form.endsWith("symmetric"); // [-m, m] in 256 levels: zero point 127.5
                float[] lo = new float[cout];
                float[] hi = new float[cout];
                for (int c = 0; c < cout; c++) {
                    lo[c] = -maxAbs[c];
                    hi[c] = symmetric ? maxAbs[c] : maxAbs[c] * 127 / 128;
                }
                Value l = b.constant(Tensor.of(lo, perChannel));
                Value h = b.constant(Tensor.of(hi, perChannel));
                return b.op("w_fq", new FakeQuantize(256), b.constant(Tensor.of(values, shape)), l, h, l, h);
            }
            default -> {
                return dequantized(b, form, shape, inner, scale, r);
            }
        }
    }

    /** Integer codes → Convert → [Subtract zero point] → Multiply scale, as compressed weights are stored. */
    private static Value dequantized(GraphBuilder b, String form, int[] shape, int inner, float[] scale, Random r) {
        int cout = scale.length;
        int[] perChannel = perChannel(shape);
        ElementType type = switch (form) {
            case "i8_zero_point" -> ElementType.I8;
            case "i4" -> ElementType.I4;
            case "u4_zero_point" -> ElementType.U4;
            default -> ElementType.U8;
        };
        int[] zp = new int[cout];
        for (int c = 0; c < cout; c++) {
            zp[c] = switch (form) {
                case "i8_zero_point" -> r.nextInt(9) - 4;
                case "u8_zero_point_128", "u8_scale_f16" -> 128;
                case "u8_zero_point_channel" -> 120 + r.nextInt(9);
                case "u4_zero_point" -> 8;
                default -> 0;
            };
        }
        int lo = switch (type) {
            case I4 -> -8;
            case U4, U8 -> 0;
            default -> -128;
        };
        int hi = switch (type) {
            case I4 -> 7;
            case U4 -> 15;
            case U8 -> 255;
            default -> 127;
        };
        Tensor codes = Tensor.allocate(type, shape);
        for (int i = 0; i < codes.size(); i++) {
            int c = i / inner;
            boolean wide = form.equals("u8_no_zero_point"); // codes up to 255: no i8 code for them
            int min = wide ? lo : Math.max(lo, zp[c] - 128);
            int max = wide ? hi : Math.min(hi, zp[c] + 127);
            codes.setLong(i, min + r.nextInt(max - min + 1));
        }
        Value v = b.op("w_convert", new Convert(ElementType.F32), b.constant(codes));
        boolean hasZeroPoint = !form.equals("i4") && !form.equals("u8_no_zero_point");
        if (hasZeroPoint) {
            Tensor z = Tensor.allocate(type, perChannel);
            for (int c = 0; c < cout; c++) {
                z.setLong(c, zp[c]);
            }
            v = b.op("w_zero", new Subtract(), v, b.op(new Convert(ElementType.F32), b.constant(z)));
        }
        Tensor s = Tensor.of(scale, perChannel);
        Value scaleValue = form.endsWith("f16") ? decompressed(b, s.convertTo(ElementType.F16)) : b.constant(s);
        return b.op("w_scale", new Multiply(), v, scaleValue);
    }

    /** {@code [Cout, 1, ...]}, or {@code [G, Cout/G, 1, ...]} for GroupConvolution weights. */
    private static int[] perChannel(int[] shape) {
        int[] out = new int[shape.length];
        java.util.Arrays.fill(out, 1);
        out[0] = shape[0];
        if (shape.length == 5) {
            out[1] = shape[1];
        }
        return out;
    }

    private static Value decompressed(GraphBuilder b, Tensor f16) {
        Value v = b.op(new Convert(ElementType.F32), b.constant(f16));
        v.node().rtInfo().put("decompression", "");
        return v;
    }

    private static Value scalar(GraphBuilder b, float v) {
        return b.constant(Tensor.scalar(v));
    }
}
