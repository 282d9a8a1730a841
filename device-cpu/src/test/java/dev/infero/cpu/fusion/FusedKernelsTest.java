package dev.infero.cpu.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.activation.PRelu;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.ConvolutionBackpropData;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.CpuDevice;
import dev.infero.cpu.NchwPlan;
import dev.infero.testing.GraphBuilder;
import dev.infero.testing.RandomData;
import dev.infero.testing.TensorAssert;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The CPU device's fused kernels compute what the reference ops compute. The same graph is compiled once with a
 * static input shape (fast, fused kernels) and once with a dynamic batch (reference kernels, shapes inferred at run
 * time), and both run on the same input.
 */
@ExtendWith(NchwPlan.class)
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
        List<ProfilingInfo> rows = runAgainstReference(FusedKernelsTest::residualBlock,
                RandomData.tensor(new Random(5), 2, 8, 9, 9));
        long fused = rows.stream().filter(p -> p.status() == ProfilingInfo.Status.OPTIMIZED_OUT).count();
        assertTrue(fused >= 4, "bias adds, ReLUs and the residual add are fused: " + rows);
    }

    /**
     * Runs the graph {@code block} builds (batch 2 for the fast kernels, a dynamic batch for the reference kernels)
     * on both, checks the outputs agree, and returns the fast run's profiling rows.
     */
    private static List<ProfilingInfo> runAgainstReference(IntFunction<Graph> block, Tensor x) {
        try (var fast = new CpuDevice().compile(block.apply(2), Map.of());
             var reference = new CpuDevice().compile(block.apply(-1), Map.of())) {
            ExecutionRequest fastRequest = fast.newRequest();
            fastRequest.setProfiling(true);
            fastRequest.setInput(0, x);
            fastRequest.run();
            ExecutionRequest referenceRequest = reference.newRequest();
            referenceRequest.setInput(0, x);
            referenceRequest.run();
            TensorAssert.assertClose(referenceRequest.output(0), fastRequest.output(0), 1e-5, 1e-5);
            return fastRequest.profilingInfo();
        }
    }

    /**
     * SiLU as YOLOX exports it, {@code v · Sigmoid(v)}, after a stride-2 stem, a 1×1 and a depthwise convolution
     * (the product written both ways round); then a Sigmoid whose input has another reader, which stays a layer.
     */
    private static Graph siluBlock(int batch) {
        Random r = new Random(12);
        GraphBuilder b = new GraphBuilder("silu");
        Value x = b.input("x", ElementType.F32, batch, 3, 21, 21);
        Value stem = conv(b, r, x, false, 16, 3, 3, 2, 1);
        Value a = b.op(new Multiply(), stem, b.op(new Sigmoid(), stem));
        Value pw = conv(b, r, a, false, 24, 16, 1, 1, 0);
        Value c = b.op(new Multiply(), b.op(new Sigmoid(), pw), pw);
        Value dw = conv(b, r, c, true, 24, 24, 3, 1, 1);
        Value d = b.op(new Multiply(), dw, b.op(new Sigmoid(), dw));
        Value e = conv(b, r, d, false, 8, 24, 1, 1, 0);
        Value gate = b.op(new Sigmoid(), e);
        return b.output(b.op(new Add(), b.op(new Multiply(), e, gate), e)).graph();
    }

    @Test
    void siluAfterConvolutionsRunsAsTheirPostOp() {
        List<ProfilingInfo> rows = runAgainstReference(FusedKernelsTest::siluBlock,
                RandomData.tensor(new Random(6), 2, 3, 21, 21));
        long sigmoids = rows.stream()
                .filter(p -> p.nodeType().equals("Sigmoid") && p.status() == ProfilingInfo.Status.EXECUTED)
                .count();
        assertEquals(1, sigmoids, "three SiLUs fused, the last Sigmoid (its input read thrice) runs: " + rows);
    }

    /**
     * TF/Caffe "Scale" layers and HardSigmoid as frontends write them: per-channel Multiply → Add → ReLU after a
     * biased convolution, BatchNorm → Multiply → Subtract → Clamp after another, a scalar Multiply → Add → Clamp
     * after a grouped one, then a second Multiply whose constant varies along W (not per channel), which stays a
     * layer.
     */
    private static Graph scaleChains(int batch) {
        Random r = new Random(13);
        GraphBuilder b = new GraphBuilder("scale");
        Value x = b.input("x", ElementType.F32, batch, 4, 11, 11);
        Value c1 = conv(b, r, x, false, 12, 4, 3, 2, 1);
        Value s1 = b.op(new Relu(), b.op(new Add(), b.op(new Multiply(), c1,
                b.constant(RandomData.tensor(r, 1, 12, 1, 1))), b.constant(RandomData.tensor(r, 1, 12, 1, 1))));
        Value c2 = b.op(new Convolution(window(1, 1)), s1, b.constant(RandomData.tensor(r, 8, 12, 3, 3)));
        Value bn = b.op(new BatchNormInference(1e-5), c2, b.constant(RandomData.tensor(r, 8)),
                b.constant(RandomData.tensor(r, 8)), b.constant(RandomData.tensor(r, 8)),
                b.constant(Tensor.of(new float[] {1, 2, 0.5f, 1, 3, 1, 1, 0.25f}, 8)));
        Value s2 = b.op(new Clamp(-0.5, 0.5), b.op(new Subtract(), b.op(new Multiply(),
                b.constant(RandomData.tensor(r, 8, 1, 1)), bn), b.constant(RandomData.tensor(r, 1, 8, 1, 1))));
        Value g = b.op(new GroupConvolution(window(1, 1)), s2, b.constant(RandomData.tensor(r, 2, 4, 4, 3, 3)));
        Value hs = b.op(new Clamp(0, 1), b.op(new Add(), b.op(new Multiply(), g,
                b.constant(Tensor.of(new float[] {0.2f}, 1))), b.constant(Tensor.of(new float[] {0.5f}, 1))));
        Value c3 = b.op(new Convolution(window(1, 0)), hs, b.constant(RandomData.tensor(r, 8, 8, 1, 1)));
        return b.output(b.op(new Multiply(), c3, b.constant(RandomData.tensor(r, 1, 1, 1, 6)))).graph();
    }

    @Test
    void perChannelAffineChainsFoldIntoTheConvolution() {
        List<ProfilingInfo> rows = runAgainstReference(FusedKernelsTest::scaleChains,
                RandomData.tensor(new Random(7), 2, 4, 11, 11));
        long executed = rows.stream().filter(p -> p.status() == ProfilingInfo.Status.EXECUTED
                && List.of("Multiply", "Add", "Subtract", "BatchNormInference", "ReLU", "Clamp").contains(p.nodeType()))
                .count();
        assertEquals(1, executed, "three affine chains fused, the last Multiply (varies along W) runs: " + rows);
    }

    /** A fully connected layer with a bias and a PReLU of one slope per output column, then a plain one. */
    private static Graph preluHead(int batch) {
        Random r = new Random(14);
        GraphBuilder b = new GraphBuilder("prelu");
        Value x = b.input("x", ElementType.F32, batch, 40);
        Value fc = b.op(new Add(), b.op(new MatMul(false, true), x, b.constant(RandomData.tensor(r, 24, 40))),
                b.constant(RandomData.tensor(r, 24)));
        Value p = b.op(new PRelu(), fc, b.constant(RandomData.tensor(r, 24)));
        return b.output(b.op(new MatMul(false, false), p, b.constant(RandomData.tensor(r, 24, 10)))).graph();
    }

    @Test
    void preluAfterMatMulRunsAsItsPostOp() {
        for (int rows : new int[] {2, 6}) {
            List<ProfilingInfo> info = runAgainstReference(batch -> preluHead(batch < 0 ? -1 : rows),
                    RandomData.tensor(new Random(8), rows, 40));
            assertTrue(info.stream().anyMatch(p -> p.nodeType().equals("PReLU")
                    && p.status() == ProfilingInfo.Status.OPTIMIZED_OUT), "PReLU fused: " + info);
        }
    }

    /** A stride-2 deconvolution (4×4 kernel, pads 1) with a bias Add and ReLU, as upsampling heads use it. */
    private static Graph deconvBlock(int batch) {
        Random r = new Random(15);
        GraphBuilder b = new GraphBuilder("deconv");
        Value x = b.input("x", ElementType.F32, batch, 6, 7, 5);
        Value up = b.op(new ConvolutionBackpropData(window(2, 1), new long[] {1, 0}), x,
                b.constant(RandomData.tensor(r, 6, 5, 4, 4)));
        Value y = b.op(new Relu(), b.op(new Add(), up, b.constant(RandomData.tensor(r, 1, 5, 1, 1))));
        return b.output(y).graph();
    }

    @Test
    void deconvolutionRunsAsGemmWithItsPostOps() {
        List<ProfilingInfo> rows = runAgainstReference(FusedKernelsTest::deconvBlock,
                RandomData.tensor(new Random(9), 2, 6, 7, 5));
        assertTrue(rows.stream().anyMatch(p -> p.execType().startsWith("deconv_gemm_")
                && p.execType().endsWith("+bias+relu")), "deconvolution on the GEMM with bias and ReLU: " + rows);
    }
}
