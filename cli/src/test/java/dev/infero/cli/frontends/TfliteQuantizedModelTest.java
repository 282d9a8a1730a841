package dev.infero.cli.frontends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.convert.ConvertOptions;
import dev.infero.api.convert.ModelConverter;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.tflite.schema.ActivationFunctionType;
import dev.infero.tflite.schema.Buffer;
import dev.infero.tflite.schema.BuiltinOptions;
import dev.infero.tflite.schema.Conv2DOptions;
import dev.infero.tflite.schema.Model;
import dev.infero.tflite.schema.Operator;
import dev.infero.tflite.schema.OperatorCode;
import dev.infero.tflite.schema.Padding;
import dev.infero.tflite.schema.QuantizationParameters;
import dev.infero.tflite.schema.SubGraph;
import dev.infero.tflite.schema.TensorType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    private static int quantization(FlatBufferBuilder b, float[] scale, long[] zeroPoint, int axis) {
        int s = QuantizationParameters.createScaleVector(b, scale);
        int z = QuantizationParameters.createZeroPointVector(b, zeroPoint);
        QuantizationParameters.startQuantizationParameters(b);
        QuantizationParameters.addScale(b, s);
        QuantizationParameters.addZeroPoint(b, z);
        QuantizationParameters.addQuantizedDimension(b, axis);
        return QuantizationParameters.endQuantizationParameters(b);
    }

    private static int tensor(FlatBufferBuilder b, String name, byte type, int buffer, int quant, int... shape) {
        int s = dev.infero.tflite.schema.Tensor.createShapeVector(b, shape);
        int n = b.createString(name);
        dev.infero.tflite.schema.Tensor.startTensor(b);
        dev.infero.tflite.schema.Tensor.addShape(b, s);
        dev.infero.tflite.schema.Tensor.addType(b, type);
        dev.infero.tflite.schema.Tensor.addBuffer(b, buffer);
        dev.infero.tflite.schema.Tensor.addName(b, n);
        if (quant != 0) {
            dev.infero.tflite.schema.Tensor.addQuantization(b, quant);
        }
        return dev.infero.tflite.schema.Tensor.endTensor(b);
    }

    private static int buffer(FlatBufferBuilder b, byte[] data) {
        int d = data.length == 0 ? 0 : Buffer.createDataVector(b, data);
        Buffer.startBuffer(b);
        if (d != 0) {
            Buffer.addData(b, d);
        }
        return Buffer.endBuffer(b);
    }

    private static byte[] ints(int[] v) {
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            bb.putInt(x);
        }
        return bb.array();
    }

    private static int operator(FlatBufferBuilder b, int code, int[] in, int[] out, boolean conv) {
        int i = Operator.createInputsVector(b, in);
        int o = Operator.createOutputsVector(b, out);
        int options = conv ? Conv2DOptions.createConv2DOptions(b, Padding.SAME, 1, 1, ActivationFunctionType.RELU, 1, 1,
                (byte) 0) : 0;
        Operator.startOperator(b);
        Operator.addOpcodeIndex(b, code);
        Operator.addInputs(b, i);
        Operator.addOutputs(b, o);
        if (conv) {
            Operator.addBuiltinOptionsType(b, BuiltinOptions.Conv2DOptions);
            Operator.addBuiltinOptions(b, options);
        }
        return Operator.endOperator(b);
    }

    /** Tensors: 0 x, 1 x_q, 2/3 w0/b0, 4 y0, 5/6 w1/b1, 7 y1, 8 out. */
    private static byte[] model(Layer l0, Layer l1) {
        FlatBufferBuilder b = new FlatBufferBuilder(4096);
        int[] buffers = {buffer(b, new byte[0]), buffer(b, l0.weights()), buffer(b, ints(l0.bias())),
                buffer(b, l1.weights()), buffer(b, ints(l1.bias()))};
        long[] zeros = new long[C];
        float[] b0 = new float[C];
        float[] b1 = new float[C];
        for (int c = 0; c < C; c++) {
            b0[c] = IN_SCALE * l0.scales()[c];
            b1[c] = OUT_SCALE * l1.scales()[c];
        }
        int[] tensors = {
                tensor(b, "x", TensorType.FLOAT32, 0, 0, 1, H, H, C),
                tensor(b, "x_q", TensorType.INT8, 0, quantization(b, new float[] {IN_SCALE}, new long[] {0}, 0), 1, H, H, C),
                tensor(b, "w0", TensorType.INT8, 1, quantization(b, l0.scales(), zeros, 0), C, 3, 3, C),
                tensor(b, "b0", TensorType.INT32, 2, quantization(b, b0, zeros, 0), C),
                tensor(b, "y0", TensorType.INT8, 0, quantization(b, new float[] {OUT_SCALE}, new long[] {OUT_ZP}, 0), 1, H, H, C),
                tensor(b, "w1", TensorType.INT8, 3, quantization(b, l1.scales(), zeros, 0), C, 3, 3, C),
                tensor(b, "b1", TensorType.INT32, 4, quantization(b, b1, zeros, 0), C),
                tensor(b, "y1", TensorType.INT8, 0, quantization(b, new float[] {OUT_SCALE}, new long[] {OUT_ZP}, 0), 1, H, H, C),
                tensor(b, "out", TensorType.FLOAT32, 0, 0, 1, H, H, C),
        };
        int[] ops = {
                operator(b, 0, new int[] {0}, new int[] {1}, false),
                operator(b, 1, new int[] {1, 2, 3}, new int[] {4}, true),
                operator(b, 1, new int[] {4, 5, 6}, new int[] {7}, true),
                operator(b, 2, new int[] {7}, new int[] {8}, false),
        };
        int tv = SubGraph.createTensorsVector(b, tensors);
        int iv = SubGraph.createInputsVector(b, new int[] {0});
        int ov = SubGraph.createOutputsVector(b, new int[] {8});
        int opv = SubGraph.createOperatorsVector(b, ops);
        SubGraph.startSubGraph(b);
        SubGraph.addTensors(b, tv);
        SubGraph.addInputs(b, iv);
        SubGraph.addOutputs(b, ov);
        SubGraph.addOperators(b, opv);
        int sg = SubGraph.endSubGraph(b);
        int[] codes = new int[3];
        int[] builtin = {114, 3, 6}; // QUANTIZE, CONV_2D, DEQUANTIZE
        for (int i = 0; i < 3; i++) {
            codes[i] = OperatorCode.createOperatorCode(b, (byte) builtin[i], 0, 1, builtin[i]);
        }
        int cv = Model.createOperatorCodesVector(b, codes);
        int sgs = Model.createSubgraphsVector(b, new int[] {sg});
        int bv = Model.createBuffersVector(b, buffers);
        Model.startModel(b);
        Model.addVersion(b, 3);
        Model.addOperatorCodes(b, cv);
        Model.addSubgraphs(b, sgs);
        Model.addBuffers(b, bv);
        Model.finishModelBuffer(b, Model.endModel(b));
        return b.sizedByteArray();
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
