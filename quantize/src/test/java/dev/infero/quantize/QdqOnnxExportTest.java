package dev.infero.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.ir.IrReader;
import dev.infero.ir.IrWriter;
import dev.infero.onnx.OnnxExporter;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The INT8 IR exported as QDQ ONNX runs in ONNX Runtime and computes what Infero computes on the IR. */
class QdqOnnxExportTest {
    @TempDir
    Path dir;

    @Test
    void qdqModelRunsInOnnxRuntimeAndAgreesWithInt8IrWithinOneStep() throws Exception {
        IrWriter.Written ir = SmallCnn.fp32Ir(SmallCnn.write(dir), dir, "small_fp32");
        Quantizer.Result r = Quantizer.quantize(ir.xml(), SmallCnn.samples(32, 1), QuantizationParameters.defaults(),
                dir.resolve("int8"), "small_int8", null, null);
        Graph int8 = IrReader.read(r.xml());

        ModelProto model = OnnxExporter.export(int8);
        Map<String, Long> ops = model.getGraph().getNodeList().stream()
                .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
        assertEquals(4L, ops.get("QuantizeLinear"), ops.toString());
        assertEquals(4L + 5L + 3L, ops.get("DequantizeLinear"), "activations, weights and the int32 biases of conv1, "
                + "pw_a and pw_b (the depthwise layer's input quantizes per channel, so its bias stays an Add): " + ops);
        assertTrue(model.getGraph().getInitializerList().stream().anyMatch(t -> t.getDataType() == 3),
                "int8 weight initializers");

        Path fp32Onnx = dir.resolve("small_fp32_exported.onnx");
        OnnxExporter.write(IrReader.read(ir.xml()), fp32Onnx);
        assertAgree(fp32Onnx, ir.xml(), 1e-4f);

        Path onnx = dir.resolve("small_int8.onnx");
        OnnxExporter.write(int8, onnx);
        assertAgree(onnx, r.xml(), Float.NaN);
    }

    /**
     * The export is in the form ONNX Runtime's QDQ rules fuse: each convolution's bias is its int32 third input (no
     * separate Add), and ORT's optimized graph runs the convolutions whose output (through ReLU) is quantized per
     * tensor as {@code QLinearConv} (conv1 and conv2; conv3 feeds the pooling). Its scores stay close to the FP32
     * model's. (Depthwise inputs quantize per channel, which QLinearConv cannot read: SmallCnn's layers stay float
     * convolutions on dequantized values in ORT.)
     */
    @Test
    void onnxRuntimeFusesTheExportIntoQLinearConv() throws Exception {
        Path fp32Onnx = SmallCnn.writePlain(dir);
        IrWriter.Written ir = SmallCnn.fp32Ir(fp32Onnx, dir, "plain_fp32");
        Quantizer.Result r = Quantizer.quantize(ir.xml(), SmallCnn.samples(32, 1), QuantizationParameters.defaults(),
                dir.resolve("int8"), "plain_int8", null, null);
        Path onnx = dir.resolve("plain_int8.onnx");
        OnnxExporter.write(IrReader.read(r.xml()), onnx);
        ModelProto exported = ModelProto.parseFrom(java.nio.file.Files.readAllBytes(onnx));
        List<NodeProto> convs = exported.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Conv")).toList();
        assertEquals(3, convs.size());
        assertTrue(convs.stream().allMatch(n -> n.getInputCount() == 3), "bias as the Conv's third input: " + convs);
        assertTrue(exported.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("Add")
                && n.getInput(0).startsWith("conv")), "no separate bias Add after a convolution");
        assertTrue(exported.getGraph().getInitializerList().stream().anyMatch(t -> t.getDataType() == 6),
                "int32 bias initializers");

        Path optimized = dir.resolve("plain_int8_ort_optimized.onnx");
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession.SessionOptions options = new ai.onnxruntime.OrtSession.SessionOptions()) {
            // Extended: the level at which ORT's QDQ transformers run, before layout changes specific to this CPU.
            options.setOptimizationLevel(ai.onnxruntime.OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
            options.setOptimizedModelFilePath(optimized.toString());
            env.createSession(onnx.toString(), options).close();
        }
        Map<String, Long> ops = ModelProto.parseFrom(java.nio.file.Files.readAllBytes(optimized)).getGraph()
                .getNodeList().stream().collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
        assertEquals(2L, ops.getOrDefault("QLinearConv", 0L), "ORT's optimized graph: " + ops);

        // ORT on the QDQ export against Infero on the FP32 model: INT8 stays within a few steps of FP32.
        assertAgree(onnx, ir.xml(), 0f, 4);
        // And against Infero's INT8 IR, within one step.
        assertAgree(onnx, r.xml(), Float.NaN);
    }

    /**
     * ONNX Runtime on {@code onnx} against Infero on {@code ir}: within {@code tolerance}, or (NaN) within one 8-bit
     * quantization step of the output's range.
     */
    private static void assertAgree(Path onnx, Path ir, float tolerance) {
        assertAgree(onnx, ir, tolerance, 1);
    }

    /** As above, within {@code steps} 8-bit steps of the output's range when {@code tolerance} is 0. */
    private static void assertAgree(Path onnx, Path ir, float tolerance, int steps) {
        List<Tensor> inputs = SmallCnn.samples(8, 42);
        try (Core core = new Core(); CompiledModel ort = core.compileModel(onnx, "ORT");
             CompiledModel cpu = core.compileModel(ir, "CPU")) {
            InferRequest a = ort.createInferRequest();
            InferRequest b = cpu.createInferRequest();
            for (Tensor x : inputs) {
                a.setInput(0, x);
                a.infer();
                b.setInput(0, x);
                b.infer();
                float[] got = a.getOutput(0).toFloatArray();
                float[] want = b.getOutput(0).toFloatArray();
                assertEquals(want.length, got.length);
                float lo = Float.MAX_VALUE;
                float hi = -Float.MAX_VALUE;
                for (float v : want) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                float step = Float.isNaN(tolerance) ? (hi - lo) / 255 : tolerance == 0 ? steps * (hi - lo) / 255
                        : tolerance;
                for (int i = 0; i < want.length; i++) {
                    assertTrue(Math.abs(got[i] - want[i]) <= step,
                            "score " + i + ": ORT " + got[i] + " vs Infero " + want[i] + ", step " + step);
                }
            }
        }
    }
}
