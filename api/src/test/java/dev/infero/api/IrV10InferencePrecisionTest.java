package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.testing.IrXml;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An FP16 IR v10 as older Model Optimizers wrote it: an f16 input, f16 weights used directly (no decompression
 * Convert), an opset1 {@code PReLU} layer (the IR spelling), and a branch kept in f32 meeting the f16 activations. Infero
 * runs it in f32 as OpenVINO's CPU plugin does: the input is f32, weights are widened at load.
 */
class IrV10InferencePrecisionTest {
    @TempDir
    Path dir;

    /** The IR: y = PReLU(conv(x, w), slope) + shift, with x, w and slope in f16 and shift in f32. */
    private static IrXml ir() {
        IrXml ir = new IrXml("fp16_v10", 10);
        int x = ir.parameter("x", ElementType.F16, 1, 2, 1, 2);
        // out0 = x0 + 2 x1, out1 = -x0 + 0.5 x1
        int w = ir.constant("w", f16(new float[] {1, 2, -1, 0.5f}, 2, 2, 1, 1), 1);
        int conv = ir.layer("conv", "Convolution", "opset1").data("strides=\"1,1\" dilations=\"1,1\" "
                + "pads_begin=\"0,0\" pads_end=\"0,0\" auto_pad=\"explicit\"").in(1, 2, 1, 2).in(2, 2, 1, 1)
                .out(2, "FP16", 1, 2, 1, 2).id();
        int slope = ir.constant("slope", f16(new float[] {0.25f, 0.5f}, 2), 1);
        int prelu = ir.layer("prelu", "PReLU", "opset1").in(1, 2, 1, 2).in(2).out(2, "FP16", 1, 2, 1, 2).id();
        int shift = ir.constant("shift", Tensor.of(new float[] {100, -100}, 1, 2, 1, 1), 1);
        int add = ir.layer("add", "Add", "opset1").data("auto_broadcast=\"numpy\"").in(1, 2, 1, 2).in(1, 2, 1, 1)
                .out(2, "FP32", 1, 2, 1, 2).id();
        ir.edge(x, 0, conv, 0).edge(w, 1, conv, 1).edge(conv, 2, prelu, 0).edge(slope, 1, prelu, 1)
                .edge(prelu, 2, add, 0).edge(shift, 1, add, 1).edge(add, 2, ir.result("y", 1, 2, 1, 2), 0);
        return ir;
    }

    private static Tensor f16(float[] values, int... shape) {
        return Tensor.of(values, shape).convertTo(ElementType.F16);
    }

    @Test
    void runsAMixedPrecisionFp16IrInF32WithPReluLayers() {
        Path xml = ir().write(dir, "m");
        try (Core core = new Core()) {
            Model model = core.readModel(xml);
            assertEquals(ElementType.F32, model.graph().parameters().get(0).output(0).type());
            InferRequest request = core.compileModel(model, "CPU").createInferRequest();
            // x: channel 0 = [1, -4], channel 1 = [2, 1]
            request.setInput(0, Tensor.of(new float[] {1, -4, 2, 1}, 1, 2, 1, 2));
            request.infer();
            // conv: c0 = [1 + 4, -4 + 2] = [5, -2]; c1 = [-1 + 1, 4 + 0.5] = [0, 4.5]
            // prelu: c0 = [5, -0.5]; c1 = [0, 4.5]; add: c0 + 100, c1 - 100
            assertArrayEquals(new float[] {105, 99.5f, -100, -95.5f}, request.getOutput(0).toFloatArray(), 1e-4f);
        }
    }
}
