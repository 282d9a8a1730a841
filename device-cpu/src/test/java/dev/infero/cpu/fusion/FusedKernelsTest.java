package dev.infero.cpu.fusion;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.CpuDevice;
import dev.infero.testing.GraphBuilder;
import dev.infero.testing.RandomData;
import dev.infero.testing.TensorAssert;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The CPU device's fused kernels compute what the reference ops compute. The same graph is compiled once with a
 * static input shape (fast, fused kernels) and once with a dynamic batch (reference kernels, shapes inferred at run
 * time), and both run on the same input.
 */
class FusedKernelsTest {
    private static WindowGeometry window(int stride, int pad) {
        return new WindowGeometry(new long[] {stride, stride}, new long[] {1, 1}, new long[] {pad, pad},
                new long[] {pad, pad}, AutoPad.EXPLICIT, false);
    }

    /** A convolution with a per-channel bias Add, as frontends translate a biased convolution. */
    private static Value conv(GraphBuilder b, Random r, Value x, boolean depthwise, int out, int in, int k, int stride,
                              int pad) {
        Value y = depthwise
                ? b.op(new GroupConvolution(window(stride, pad)), x, b.constant(RandomData.tensor(r, out, 1, 1, k, k)))
                : b.op(new Convolution(window(stride, pad)), x, b.constant(RandomData.tensor(r, out, in, k, k)));
        return b.op(new Add(), y, b.constant(RandomData.tensor(r, 1, out, 1, 1)));
    }

    /** Two convolutions (one depthwise, one strided shortcut) meeting in a residual Add, then ReLU and Clamp. */
    private static Graph residualBlock(int batch) {
        Random r = new Random(11);
        GraphBuilder b = new GraphBuilder("block");
        Value x = b.input("x", ElementType.F32, batch, 8, 9, 9);
        Value dw = b.op(new Relu(), conv(b, r, x, true, 8, 8, 3, 2, 1));
        Value pw = conv(b, r, dw, false, 16, 8, 1, 1, 0);
        Value shortcut = conv(b, r, x, false, 16, 8, 3, 2, 1);
        Value sum = b.op(new Relu(), b.op(new Add(), pw, shortcut));
        return b.output(b.op(new Clamp(0, 6), sum)).graph();
    }

    @Test
    void fusedConvolutionChainsMatchTheReferenceKernels() {
        Tensor x = RandomData.tensor(new Random(5), 2, 8, 9, 9);
        try (var fast = new CpuDevice().compile(residualBlock(2), Map.of());
             var reference = new CpuDevice().compile(residualBlock(-1), Map.of())) {
            ExecutionRequest fastRequest = fast.newRequest();
            fastRequest.setProfiling(true);
            fastRequest.setInput(0, x);
            fastRequest.run();
            ExecutionRequest referenceRequest = reference.newRequest();
            referenceRequest.setInput(0, x);
            referenceRequest.run();
            TensorAssert.assertClose(referenceRequest.output(0), fastRequest.output(0), 1e-5, 1e-5);
            long fused = fastRequest.profilingInfo().stream()
                    .filter(p -> p.status() == ProfilingInfo.Status.OPTIMIZED_OUT).count();
            assertTrue(fused >= 4, "bias adds, ReLUs and the residual add are fused: " + fastRequest.profilingInfo());
        }
    }

    /** SiLU as detectors export it: {@code x · sigmoid(x)}, the Multiply's operands in either order. */
    private static Value silu(GraphBuilder b, Value x, boolean sigmoidFirst) {
        Value s = b.op(new Sigmoid(), x);
        return sigmoidFirst ? b.op(new Multiply(), s, x) : b.op(new Multiply(), x, s);
    }

    /** Convolution → SiLU, depthwise → SiLU, and a SiLU whose input is also read elsewhere (not fused). */
    private static Graph siluBlock(int batch) {
        Random r = new Random(12);
        GraphBuilder b = new GraphBuilder("silu");
        Value x = b.input("x", ElementType.F32, batch, 8, 9, 9);
        Value a = silu(b, conv(b, r, x, false, 8, 8, 3, 1, 1), false);
        Value d = silu(b, conv(b, r, a, true, 8, 8, 3, 1, 1), true);
        Value c = conv(b, r, d, false, 8, 8, 1, 1, 0);
        Value shared = b.op(new Add(), silu(b, c, false), c);
        return b.output(shared).graph();
    }

    @Test
    void siluAfterAConvolutionRunsAsItsPostOp() {
        Tensor x = RandomData.tensor(new Random(6), 2, 8, 9, 9);
        try (var fast = new CpuDevice().compile(siluBlock(2), Map.of());
             var reference = new CpuDevice().compile(siluBlock(-1), Map.of())) {
            ExecutionRequest fastRequest = fast.newRequest();
            fastRequest.setProfiling(true);
            fastRequest.setInput(0, x);
            fastRequest.run();
            ExecutionRequest referenceRequest = reference.newRequest();
            referenceRequest.setInput(0, x);
            referenceRequest.run();
            TensorAssert.assertClose(referenceRequest.output(0), fastRequest.output(0), 1e-5, 1e-5);
            var rows = fastRequest.profilingInfo();
            long swish = rows.stream().filter(p -> p.status() == ProfilingInfo.Status.EXECUTED
                    && p.execType().contains("swish")).count();
            long fusedSigmoids = rows.stream().filter(p -> p.status() == ProfilingInfo.Status.OPTIMIZED_OUT
                    && p.nodeType().equals("Sigmoid")).count();
            assertTrue(swish == 2 && fusedSigmoids == 2, "two SiLUs fused, the third kept apart: " + rows);
        }
    }
}
