package dev.infero.api;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.testing.TensorAssert;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CPU device's fused kernels compute what the reference ops compute. The same model is compiled once with a
 * static input shape (fast, fused kernels) and once with a dynamic batch (reference kernels, shapes inferred at run
 * time), and both run on the same input.
 */
class FusedKernelsTest {
    @TempDir
    Path dir;

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = r.nextFloat() * 2 - 1;
        }
        return t;
    }

    /** Two convolutions (one depthwise, one strided 1x1 shortcut) meeting in a residual Add, then ReLU and Clip. */
    private Path residualBlock(long batch) {
        Random r = new Random(11);
        Path file = dir.resolve("block" + batch + ".onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("block", 17)
                .input("x", ElementType.F32, batch, 8, 9, 9)
                .initializer("w_dw", random(r, 8, 1, 3, 3))
                .initializer("b_dw", random(r, 8))
                .initializer("w_pw", random(r, 16, 8, 1, 1))
                .initializer("b_pw", random(r, 16))
                .initializer("w_sc", random(r, 16, 8, 3, 3))
                .initializer("b_sc", random(r, 16))
                .output("y", ElementType.F32);
        b.node("Conv", "dw").inputs("x", "w_dw", "b_dw").outputs("dw").attr("group", 8).attr("pads", 1, 1, 1, 1)
                .attr("strides", 2, 2);
        b.node("Relu", "dw_relu").inputs("dw").outputs("dw_act");
        b.node("Conv", "pw").inputs("dw_act", "w_pw", "b_pw").outputs("pw");
        b.node("Conv", "shortcut").inputs("x", "w_sc", "b_sc").outputs("sc").attr("pads", 1, 1, 1, 1)
                .attr("strides", 2, 2);
        b.node("Add", "residual").inputs("pw", "sc").outputs("sum");
        b.node("Relu", "relu").inputs("sum").outputs("act");
        b.node("Clip", "clip").inputs("act").outputs("y").attr("min", 0f).attr("max", 6f);
        b.write(file);
        return file;
    }

    @Test
    void fusedConvolutionChainsMatchTheReferenceKernels() {
        Tensor x = random(new Random(5), 2, 8, 9, 9);
        try (Core core = new Core()) {
            InferRequest fast = core.compileModel(residualBlock(2), "CPU").createInferRequest();
            fast.setProfiling(true);
            fast.setInput(0, x);
            fast.infer();
            InferRequest reference = core.compileModel(residualBlock(-1), "CPU").createInferRequest();
            reference.setInput(0, x);
            reference.infer();
            TensorAssert.assertClose(reference.getOutput(0), fast.getOutput(0), 1e-5, 1e-5);
            long fused = fast.getProfilingInfo().stream()
                    .filter(p -> p.status() == dev.infero.core.device.ProfilingInfo.Status.OPTIMIZED_OUT).count();
            org.junit.jupiter.api.Assertions.assertTrue(fused >= 4, "bias adds, ReLUs and the residual add are fused: "
                    + fast.getProfilingInfo());
        }
    }
}
