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
        Graph fp32;
        try (Core core = new Core()) {
            fp32 = core.readModel(SmallCnn.write(dir)).graph();
        }
        IrWriter.Written ir = IrWriter.write(fp32, dir, "small_fp32");
        Quantizer.Result r = Quantizer.quantize(ir.xml(), SmallCnn.samples(32, 1), QuantizationParameters.defaults(),
                dir.resolve("int8"), "small_int8", null, null);
        Graph int8 = IrReader.read(r.xml());

        ModelProto model = OnnxExporter.export(int8);
        Map<String, Long> ops = model.getGraph().getNodeList().stream()
                .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
        assertEquals(4L, ops.get("QuantizeLinear"), ops.toString());
        assertEquals(4L + 5L, ops.get("DequantizeLinear"), "activations and weights: " + ops);
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
     * ONNX Runtime on {@code onnx} against Infero on {@code ir}: within {@code tolerance}, or (NaN) within one 8-bit
     * quantization step of the output's range.
     */
    private static void assertAgree(Path onnx, Path ir, float tolerance) {
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
                float step = Float.isNaN(tolerance) ? (hi - lo) / 255 : tolerance;
                for (int i = 0; i < want.length; i++) {
                    assertTrue(Math.abs(got[i] - want[i]) <= step,
                            "score " + i + ": ORT " + got[i] + " vs Infero " + want[i] + ", step " + step);
                }
            }
        }
    }
}
