package dev.infero.cli.frontends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.convert.ConvertOptions;
import dev.infero.api.convert.ModelConverter;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.tflite.TfliteTestModel;
import dev.infero.tflite.schema.ActivationFunctionType;
import dev.infero.tflite.schema.BuiltinOptions;
import dev.infero.tflite.schema.Conv2DOptions;
import dev.infero.tflite.schema.Padding;
import dev.infero.tflite.schema.TensorType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fully int8-quantized TFLite model (QUANTIZE → two int8 CONV_2D with per-channel weights and int32 biases →
 * DEQUANTIZE), written by the test: read directly and as converted IR (FP32 and FP16), its convolutions run on the
 * CPU device's INT8 kernels and compute what TFLite's integer arithmetic computes (to one quantization step).
 */
class TfliteQuantizedModelTest {
    private static final int H = 8;
    private static final int C = 8;
    private static final float IN_SCALE = 0.02f;
    private static final float OUT_SCALE = 0.05f;
    private static final long OUT_ZP = -128;
    /** TFLite's builtin operator codes. */
    private static final int CONV_2D = 3, DEQUANTIZE = 6, QUANTIZE = 114;

    @TempDir
    Path dir;

    private record Layer(byte[] weights, float[] scales, int[] bias) {
    }

    private static Layer layer(Random r) {
        byte[] w = new byte[C * 3 * 3 * C];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (r.nextInt(255) - 127);
        }
        float[] s = new float[C];
        int[] b = new int[C];
        for (int c = 0; c < C; c++) {
            s[c] = 0.0005f + 0.0001f * c;
            b[c] = r.nextInt(2001) - 1000;
        }
        return new Layer(w, s, b);
    }

    /** x → QUANTIZE → x_q → CONV_2D (w0, b0) → y0 → CONV_2D (w1, b1) → y1 → DEQUANTIZE → out. */
    private static byte[] model(Layer l0, Layer l1) {
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, H, H, C);
        int xq = m.quantized("x_q", TensorType.INT8, IN_SCALE, 0, 1, H, H, C);
        m.op(QUANTIZE, new int[] {x}, new int[] {xq});
        int y0 = conv(m, "0", xq, IN_SCALE, l0);
        int y1 = conv(m, "1", y0, OUT_SCALE, l1);
        int out = m.output(m.tensor("out", TensorType.FLOAT32, 1, H, H, C));
        m.op(DEQUANTIZE, new int[] {y1}, new int[] {out});
        return m.build().array();
    }

    /** An int8 SAME 3×3 convolution with RELU: per-channel weights, int32 biases in steps of input × weight scale. */
    private static int conv(TfliteTestModel m, String suffix, int in, float inScale, Layer l) {
        float[] biasScales = new float[C];
        for (int c = 0; c < C; c++) {
            biasScales[c] = inScale * l.scales()[c];
        }
        int w = m.int8("w" + suffix, l.weights(), l.scales(), new long[C], 0, C, 3, 3, C);
        int b = m.int32Quantized("b" + suffix, l.bias(), biasScales, C);
        int y = m.quantized("y" + suffix, TensorType.INT8, OUT_SCALE, OUT_ZP, 1, H, H, C);
        m.op(CONV_2D, new int[] {in, w, b}, new int[] {y}, BuiltinOptions.Conv2DOptions,
                fb -> Conv2DOptions.createConv2DOptions(fb, Padding.SAME, 1, 1, ActivationFunctionType.RELU, 1, 1,
                        (byte) 0));
        return y;
    }

    /** TFLite's int8 convolution, SAME 3×3, RELU, on codes; returns codes. */
    private static int[] reference(int[] in, float inScale, long inZp, Layer l) {
        int[] out = new int[H * H * C];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < H; x++) {
                for (int o = 0; o < C; o++) {
                    long acc = l.bias()[o];
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = y + ky - 1;
                            int ix = x + kx - 1;
                            if (iy < 0 || iy >= H || ix < 0 || ix >= H) {
                                continue;
                            }
                            for (int i = 0; i < C; i++) {
                                acc += (in[(iy * H + ix) * C + i] - inZp) * l.weights()[((o * 3 + ky) * 3 + kx) * C + i];
                            }
                        }
                    }
                    double real = acc * (double) inScale * l.scales()[o];
                    long q = Math.round(real / OUT_SCALE) + OUT_ZP;
                    out[(y * H + x) * C + o] = (int) Math.max(OUT_ZP, Math.min(127, q)); // RELU: at least the zero
                }
            }
        }
        return out;
    }

    @Test
    void int8ModelRunsOnInt8KernelsDirectlyAndAsIr() throws IOException {
        Random r = new Random(5);
        Layer l0 = layer(r);
        Layer l1 = layer(r);
        Path file = dir.resolve("int8.tflite");
        Files.write(file, model(l0, l1));
        float[] x = new float[H * H * C];
        int[] xq = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            xq[i] = r.nextInt(256) - 128;
            x[i] = IN_SCALE * xq[i];
        }
        int[] expected = reference(reference(xq, IN_SCALE, 0, l0), OUT_SCALE, OUT_ZP, l1);

        Path ir = ModelConverter.convert(ConvertOptions.plain(file, dir.resolve("ir"))).files().xml();
        Path fp16 = ModelConverter.convert(new ConvertOptions(file, "int8_fp16", dir.resolve("ir"), List.of(), List.of(),
                List.of(), new float[0], new float[0], null, false, true, null)).files().xml();
        try (Core core = new Core()) {
            for (Path model : List.of(file, ir, fp16)) {
                CompiledModel compiled = core.compileModel(core.readModel(model), "CPU", Map.of());
                InferRequest request = compiled.createInferRequest();
                request.setProfiling(true);
                request.setInput(0, Tensor.of(x.clone(), 1, H, H, C));
                request.infer();
                float[] y = request.getOutput(0).floats();
                int off = 0;
                for (int i = 0; i < y.length; i++) {
                    double code = y[i] / OUT_SCALE + OUT_ZP;
                    assertEquals(Math.rint(code), code, 1e-3, "on the output grid");
                    off = Math.max(off, (int) Math.abs(Math.rint(code) - expected[i]));
                }
                assertTrue(off <= 1, model + ": codes differ from TFLite's by up to " + off);
                long int8Layers = request.getProfilingInfo().stream().map(ProfilingInfo::execType)
                        .filter(t -> t.contains("_I8")).count();
                assertEquals(2, int8Layers, model + ": " + request.getProfilingInfo());
            }
        }
    }
}
