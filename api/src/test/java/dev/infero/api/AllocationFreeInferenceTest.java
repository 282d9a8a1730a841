package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.jit.Jit;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.testing.RandomData;
import dev.infero.testing.SharedData;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After warm-up, a synchronous inference of a static model allocates nothing on the heap: buffers, kernel scratch and
 * the kernels' parallel task bodies are all created with the request. Measured with the JDK's per-thread allocation
 * counter on one thread (the calling thread runs every kernel), in a fresh JVM: in the test JVM, hundreds of earlier
 * tests have sent the same kernels odd shapes, and loops C2 gave up on keep boxing their vectors.
 */
class AllocationFreeInferenceTest {
    private static final int WARMUP = 1000;
    private static final int MEASURED = 50;
    /** Rounds stop at the first allocation-free one; many, since C2 compiles late on a loaded machine. */
    private static final int ROUNDS = 400;
    /**
     * After {@link #ROUNDS}, rounds go on until this much time has passed since the warm-up: on a machine loaded by
     * other builds, C2's compiler threads get little CPU and reach the last vector loops late (the allocation left
     * is then boxed vectors of a loop still interpreted, which only compilation removes).
     */
    private static final long PATIENCE_NANOS = 60_000_000_000L;

    @TempDir
    Path dir;

    /**
     * Bytes the calling thread allocates per inference once the request is warm: the least of several rounds, since
     * until C2 has compiled a Vector API loop, its vectors are boxed objects (JIT state, not the runtime, allocates).
     */
    private static long allocatedPerInference(CompiledModel model, Tensor input) {
        InferRequest request = model.createInferRequest();
        request.setInput(0, input);
        for (int i = 0; i < WARMUP; i++) {
            request.infer();
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long least = Long.MAX_VALUE;
        long start = System.nanoTime();
        for (int round = 0; least > 0 && (round < ROUNDS || System.nanoTime() - start < PATIENCE_NANOS); round++) {
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < MEASURED; i++) {
                request.infer();
            }
            least = Math.min(least, (threads.getThreadAllocatedBytes(id) - before) / MEASURED);
        }
        return least;
    }

    private static Tensor variances(Tensor t) {
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = 1 + t.floats()[i] * t.floats()[i];
        }
        return t;
    }

    /** A small CNN with every fast kernel: conv, depthwise, pooling, channel pad, residual 1x1 conv with BatchNorm. */
    private Path smallCnn() {
        Random r = new Random(3);
        Path file = dir.resolve("cnn.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("cnn", 17)
                .input("x", ElementType.F32, 1, 3, 32, 32)
                .initializer("w1", RandomData.tensor(r, 8, 3, 3, 3)).initializer("b1", RandomData.tensor(r, 8))
                .initializer("wd", RandomData.tensor(r, 8, 1, 3, 3)).initializer("bd", RandomData.tensor(r, 8))
                .initializer("wp", RandomData.tensor(r, 12, 8, 1, 1)).initializer("bp", RandomData.tensor(r, 12))
                .initializer("gamma", RandomData.tensor(r, 12)).initializer("beta", RandomData.tensor(r, 12))
                .initializer("mean", RandomData.tensor(r, 12)).initializer("var", variances(RandomData.tensor(r, 12)))
                .initializer("pads", Tensor.of(new long[] {0, 0, 0, 0, 0, 4, 0, 0}, 8))
                .output("y", ElementType.F32);
        b.node("Conv", "c1").inputs("x", "w1", "b1").outputs("c1").attr("pads", 1, 1, 1, 1).attr("strides", 2, 2);
        b.node("Relu", "r1").inputs("c1").outputs("r1");
        b.node("Conv", "dw").inputs("r1", "wd", "bd").outputs("dw").attr("group", 8).attr("pads", 1, 1, 1, 1)
                .attr("strides", 2, 2);
        b.node("MaxPool", "mp").inputs("r1").outputs("mp").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        b.node("Pad", "pad").inputs("mp", "pads").outputs("padded");
        b.node("Conv", "pw").inputs("dw", "wp", "bp").outputs("pw");
        b.node("BatchNormalization", "bn").inputs("pw", "gamma", "beta", "mean", "var").outputs("bn");
        b.node("Add", "res").inputs("bn", "padded").outputs("sum");
        b.node("Relu", "r2").inputs("sum").outputs("r2");
        b.node("AveragePool", "ap").inputs("r2").outputs("y").attr("kernel_shape", 3, 3).attr("pads", 1, 1, 1, 1);
        b.write(file);
        return file;
    }

    /**
     * Convolutions on each GEMM strategy: a wide stride-1 3×3 layer (shifted, no im2col; 40 input channels, past the
     * direct kernel's rule), a 96→96 3×3 layer with bias and ReLU on 56×56 (Winograd F(2×2, 3×3)), 3×3 (stride 1
     * and 2) and 1×1 layers with few output pixels and many channels (output channels in the vector lanes, their
     * pixel panels gathered by vector in each form), a plain 1×1 layer and a narrow 3×3 layer (im2col), and on a
     * second output a 40→32 3×3/2 layer (with the JIT on: shifted tiles through phase planes, checked). The small
     * CNN's 3-channel stem runs on the direct
     * kernel when the JIT is on.
     */
    private Path convolutionStrategies() {
        Random r = new Random(5);
        Path file = dir.resolve("strategies.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("strategies", 17)
                .input("x", ElementType.F32, 1, 40, 56, 56)
                .initializer("w1", RandomData.tensor(r, 96, 40, 3, 3)).initializer("w2", RandomData.tensor(r, 256, 96, 3, 3))
                .initializer("ww", RandomData.tensor(r, 96, 96, 3, 3)).initializer("bw", RandomData.tensor(r, 96))
                .initializer("w3", RandomData.tensor(r, 256, 256, 1, 1)).initializer("w4", RandomData.tensor(r, 16, 256, 1, 1))
                .initializer("w5", RandomData.tensor(r, 8, 16, 3, 3))
                .initializer("w6", RandomData.tensor(r, 256, 256, 3, 3))
                .initializer("w7", RandomData.tensor(r, 32, 40, 3, 3))
                .output("y", ElementType.F32).output("y2", ElementType.F32);
        b.node("Conv", "shifted").inputs("x", "w1").outputs("c1").attr("pads", 1, 1, 1, 1);
        b.node("Conv", "winograd").inputs("c1", "ww", "bw").outputs("cw").attr("pads", 1, 1, 1, 1);
        b.node("Relu", "rw").inputs("cw").outputs("rw");
        b.node("MaxPool", "mp").inputs("rw").outputs("mp").attr("kernel_shape", 4, 4).attr("strides", 4, 4);
        b.node("Conv", "lanes3x3").inputs("mp", "w2").outputs("c2").attr("pads", 1, 1, 1, 1);
        b.node("Relu", "r").inputs("c2").outputs("r");
        b.node("Conv", "lanes1x1").inputs("r", "w3").outputs("c3");
        b.node("Conv", "lanes3x3s2").inputs("c3", "w6").outputs("c5").attr("pads", 1, 1, 1, 1).attr("strides", 2, 2);
        b.node("Conv", "pointwise").inputs("c5", "w4").outputs("c4");
        b.node("Conv", "im2col").inputs("c4", "w5").outputs("y").attr("pads", 1, 1, 1, 1);
        b.node("Conv", "shifted3x3s2").inputs("x", "w7").outputs("y2").attr("pads", 1, 1, 1, 1)
                .attr("strides", 2, 2);
        b.write(file);
        return file;
    }

    @Test
    void everyConvolutionStrategyInfersWithoutAllocating() throws Exception {
        Path file = convolutionStrategies();
        // Winograd is on by default only with the JIT off: switched on here, the layer meant for it runs on it (checked), so the
        // measurement in the fresh JVM, with the same switch, covers its scratch too.
        // The NCHW strategies: the blocked layout (cpu.blocked) would run every layer here on its own kernels, measured
        // at the end.
        String winograd = "infero.cpu.winograd";
        String before = System.getProperty(winograd);
        System.setProperty(winograd, "on");
        System.setProperty("infero.cpu.blocked", "off");
        try {
            try (Core core = new Core()) {
                CompiledModel model = core.compileModel(core.readModel(file), "CPU", Map.of("PERF_COUNT", "YES"));
                InferRequest request = model.createInferRequest();
                request.setInput(0, RandomData.tensor(new Random(1), model.inputs().get(0).shape().toArray()));
                request.infer();
                assertTrue(request.getProfilingInfo().stream().anyMatch(p -> p.nodeName().equals("winograd")
                        && p.execType().startsWith("winograd_f23")), request.getProfilingInfo().toString());
                assertTrue(!Jit.enabled() || request.getProfilingInfo().stream().anyMatch(p -> p.nodeName()
                        .equals("shifted3x3s2") && p.execType().startsWith("shifted_gemm")),
                        request.getProfilingInfo().toString());
            }
        } finally {
            System.clearProperty("infero.cpu.blocked");
            if (before == null) {
                System.clearProperty(winograd);
            } else {
                System.setProperty(winograd, before);
            }
        }
        assertAllocationFree(file, "-D" + winograd + "=on", "-Dinfero.cpu.blocked=off");
        assertAllocationFree(file, "-Dinfero.cpu.blocked=off");
        // The same layers blocked: reorders, blocked convolutions (stem, 3×3, 1×1, stride 2) and max pooling.
        assertAllocationFree(file, "-Dinfero.cpu.blocked=ungated");
    }

    /**
     * A convolution with a TF/Caffe "Scale" chain (per-channel Mul → Add → ReLU) folded into its post-ops, a stride-2
     * ConvTranspose with bias and ReLU (GEMM and col2im), and a fully connected layer with a per-column PReLU.
     */
    private Path deconvolutionAndFoldedChains() {
        Random r = new Random(8);
        Path file = dir.resolve("deconv.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("deconv", 17)
                .input("x", ElementType.F32, 1, 16, 20, 20)
                .initializer("w", RandomData.tensor(r, 16, 16, 3, 3))
                .initializer("s", RandomData.tensor(r, 1, 16, 1, 1)).initializer("t", RandomData.tensor(r, 1, 16, 1, 1))
                .initializer("wd", RandomData.tensor(r, 16, 8, 4, 4)).initializer("bd", RandomData.tensor(r, 8))
                .initializer("wf", RandomData.tensor(r, 12, 8)).initializer("bf", RandomData.tensor(r, 12))
                .initializer("slope", RandomData.tensor(r, 12))
                .output("y", ElementType.F32);
        b.node("Conv", "conv").inputs("x", "w").outputs("c").attr("pads", 1, 1, 1, 1);
        b.node("Mul", "scale").inputs("c", "s").outputs("m");
        b.node("Add", "shift").inputs("m", "t").outputs("a");
        b.node("Relu", "r").inputs("a").outputs("ra");
        b.node("ConvTranspose", "up").inputs("ra", "wd", "bd").outputs("u").attr("kernel_shape", 4, 4)
                .attr("strides", 2, 2).attr("pads", 1, 1, 1, 1);
        b.node("Relu", "ru").inputs("u").outputs("ru");
        b.classifierHead("ru", "wf", "bf", "fc");
        b.node("PRelu", "pr").inputs("fc", "slope").outputs("y");
        b.write(file);
        return file;
    }

    @Test
    void deconvolutionAndFoldedChainsInferWithoutAllocating() throws Exception {
        assertAllocationFree(deconvolutionAndFoldedChains());
    }

    /**
     * Fully connected layers (Gemm, both weight layouts) and standalone Multiply, Add and ReLU; wide enough that the
     * element-wise loops are compiled by C2 within the warm-up (before that, their vectors are boxed).
     */
    private Path classifierParts(int rows) {
        Random r = new Random(4);
        Path file = dir.resolve("classifier" + rows + ".onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("classifier", 17)
                .input("x", ElementType.F32, rows, 40)
                .initializer("w1", RandomData.tensor(r, 40, 24)).initializer("b1", RandomData.tensor(r, 24))
                .initializer("w2", RandomData.tensor(r, 160, 24)).initializer("b2", RandomData.tensor(r, 160))
                .initializer("scale", RandomData.tensor(r, rows, 160))
                .output("y", ElementType.F32);
        b.node("Gemm", "fc1").inputs("x", "w1", "b1").outputs("fc1");
        b.node("Relu", "r1").inputs("fc1").outputs("r1");
        b.node("Gemm", "fc2").inputs("r1", "w2", "b2").outputs("fc2").attr("transB", 1L);
        b.node("Mul", "mul").inputs("fc2", "scale").outputs("scaled");
        b.node("Add", "add").inputs("scaled", "fc2").outputs("sum");
        b.node("Relu", "r2").inputs("sum").outputs("y");
        b.write(file);
        return file;
    }

    @Test
    void fullyConnectedAndElementwiseKernelsInferWithoutAllocating() throws Exception {
        assertAllocationFree(classifierParts(9));
        assertAllocationFree(classifierParts(1));
    }

    /**
     * Pre-activation blocks: a standalone BatchNormalization → ReLU after a convolution's residual Add, and a residual
     * Add of two computed tensors → per-channel Mul → Add → Clip, each one eltwise-chain step; the input is wide
     * enough that the chain's loops are compiled by C2 within the warm-up.
     */
    private Path preActivationChains() {
        Random r = new Random(6);
        Path file = dir.resolve("chains.onnx");
        Tensor var = RandomData.tensor(r, 16);
        for (int c = 0; c < 16; c++) {
            var.floats()[c] = Math.abs(var.floats()[c]) + 0.5f;
        }
        OnnxModelBuilder b = new OnnxModelBuilder("chains", 17)
                .input("x", ElementType.F32, 1, 16, 40, 40)
                .initializer("w", RandomData.tensor(r, 16, 16, 3, 3))
                .initializer("gamma", RandomData.tensor(r, 16)).initializer("beta", RandomData.tensor(r, 16))
                .initializer("mean", RandomData.tensor(r, 16)).initializer("var", var)
                .initializer("s", RandomData.tensor(r, 1, 16, 1, 1)).initializer("t", RandomData.tensor(r, 1, 16, 1, 1))
                .initializer("lo", Tensor.of(new float[] {-1f})).initializer("hi", Tensor.of(new float[] {1f}))
                .output("y", ElementType.F32).output("z", ElementType.F32);
        b.node("Conv", "conv").inputs("x", "w").outputs("c").attr("pads", 1, 1, 1, 1);
        b.node("Add", "residual").inputs("c", "x").outputs("sum");
        b.node("BatchNormalization", "bn").inputs("sum", "gamma", "beta", "mean", "var").outputs("bn");
        b.node("Relu", "r").inputs("bn").outputs("y");
        b.node("Sigmoid", "sig").inputs("x").outputs("p");
        b.node("Add", "residual2").inputs("p", "sum").outputs("sum2");
        b.node("Mul", "scale").inputs("sum2", "s").outputs("m");
        b.node("Add", "shift").inputs("m", "t").outputs("a");
        b.node("Clip", "clip").inputs("a", "lo", "hi").outputs("z");
        b.write(file);
        return file;
    }

    @Test
    void eltwiseChainsInferWithoutAllocating() throws Exception {
        assertAllocationFree(preActivationChains());
    }

    /** Softmax over channels, a mean over channels and a global average pooling (classifier heads, attention maps). */
    private Path reductionsAndSoftmax() {
        Path file = dir.resolve("reductions.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("reductions", 17)
                .input("x", ElementType.F32, 1, 16, 12, 12)
                .output("y", ElementType.F32).output("m", ElementType.F32);
        b.node("Softmax", "softmax").inputs("x").outputs("s").attr("axis", 1L);
        b.node("GlobalAveragePool", "gap").inputs("s").outputs("y");
        b.node("ReduceMean", "mean").inputs("x").outputs("m").attr("axes", 1L).attr("keepdims", 1L);
        b.write(file);
        return file;
    }

    @Test
    void reductionAndSoftmaxKernelsInferWithoutAllocating() throws Exception {
        assertAllocationFree(reductionsAndSoftmax());
    }

    /**
     * An INT8 fully connected layer as quantized IRs have it: FakeQuantize → MatMul with {@code i8} weights times
     * per-column scales → bias → ReLU (runs on codes: byte-code GEMV for one row, packed GEMM for nine).
     */
    private Path int8Classifier(int rows) {
        Random r = new Random(5);
        int k = 300;
        int n = 70;
        var g = new dev.infero.core.graph.Graph("int8_fc");
        var x = g.addParameter("x", ElementType.F32, dev.infero.core.types.PartialShape.of(rows, k)).output(0);
        var range = new dev.infero.core.graph.Value[4];
        for (int i = 0; i < 4; i++) {
            range[i] = g.addConstant("r" + i, Tensor.of(new float[] {i % 2 == 0 ? -1f : 127f / 128}, 1, 1)).output(0);
        }
        var fq = g.value(new dev.infero.core.ops.quantization.FakeQuantize(256), "fq", x, range[0], range[1], range[2],
                range[3]);
        Tensor codes = Tensor.allocate(ElementType.I8, n, k);
        r.nextBytes(codes.bytes());
        float[] scales = new float[n];
        java.util.Arrays.fill(scales, 0.01f);
        var w = g.value(new dev.infero.core.ops.eltwise.Multiply(), "w",
                g.value(new dev.infero.core.ops.eltwise.Convert(ElementType.F32), "w_f32",
                        g.addConstant("w_i8", codes).output(0)),
                g.addConstant("w_scale", Tensor.of(scales, n, 1)).output(0));
        var mm = g.value(new dev.infero.core.ops.nn.MatMul(false, true), "fc", fq, w);
        var biased = g.value(new dev.infero.core.ops.eltwise.Add(), "bias", mm,
                g.addConstant("b", RandomData.tensor(r, n)).output(0));
        g.addResult("y", g.value(new dev.infero.core.ops.activation.Relu(), "relu", biased));
        return dev.infero.ir.IrWriter.write(g, dir, "int8_fc" + rows).xml();
    }

    @Test
    void int8FullyConnectedInfersWithoutAllocating() throws Exception {
        assertAllocationFree(int8Classifier(1));
        assertAllocationFree(int8Classifier(9));
    }

    /** Measures {@code args[0]} (a model with one f32 input) and prints the bytes per inference. */
    public static void main(String[] args) {
        try (Core core = new Core()) {
            CompiledModel model = core.compileModel(core.readModel(Path.of(args[0])), "CPU",
                    Map.of("INFERENCE_NUM_THREADS", "1"));
            int[] shape = model.inputs().get(0).shape().toArray();
            System.out.println("bytes per inference: " + allocatedPerInference(model, RandomData.tensor(new Random(1), shape)));
        }
    }

    /**
     * How C2 is made to compile in each fresh JVM: in the background, in the order its queue and the machine's load
     * give (the default), and in the foreground (-Xbatch), each method when it gets hot, from the profile of that
     * moment. Whether C2 inlines a call depends on the order and the profile (a call site rare when its caller is
     * compiled stays out of line), and an object passed through a call it does not inline is a heap allocation:
     * before the kernels kept every vector inside their own loops, PostOps.apply compiled under -Xbatch boxed each
     * one, 3,096,576 B/inference for the convolution strategies; before the generated kernels took their arrays'
     * heap segments from the request ({@code jit.HeapSegments}), a kernel's {@code run} made them per call and C2
     * sometimes left {@code MemorySegment.ofArray} out of line (224 B/inference once on the small CNN at 128 bits
     * with background compiles, 720 B under -XX:-TieredCompilation; docs/performance.md, "Allocation-free
     * inference"). Nothing per inference depends on inlining now, so one fresh JVM per order decides.
     */
    private static final List<List<String>> COMPILE_ORDERS = List.of(List.of(), List.of("-Xbatch"));

    /**
     * Options added to every fresh JVM, space-separated ({@code -Dinfero.allocationTest.jvmOptions="-XX:-TieredCompilation
     * -Dinfero.jit.isa=avx2"}): to check other compilers' orders and ISAs by hand.
     */
    private static final String EXTRA_OPTIONS = "infero.allocationTest.jvmOptions";

    /** Asserts that {@code model} infers without allocating in a fresh JVM per {@link #COMPILE_ORDERS compile order}. */
    private static void assertAllocationFree(Path model, String... jvmOptions) throws Exception {
        List<String> expected = new ArrayList<>();
        List<String> measured = new ArrayList<>();
        String extra = System.getProperty(EXTRA_OPTIONS, "").strip();
        for (List<String> order : COMPILE_ORDERS) {
            List<String> options = new ArrayList<>(List.of(jvmOptions));
            if (!extra.isEmpty()) {
                options.addAll(List.of(extra.split("\\s+")));
            }
            options.addAll(order);
            String name = order.isEmpty() ? "background compiles" : String.join(" ", order);
            expected.add(name + ": bytes per inference: 0");
            measured.add(name + ": " + measureInFreshJvm(model, options));
        }
        assertEquals(expected, measured, model.getFileName().toString());
    }

    /** The bytes per inference measured in a fresh JVM with {@code jvmOptions}. */
    private static String measureInFreshJvm(Path model, List<String> jvmOptions) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "--add-modules", "jdk.incubator.vector"));
        // The build runs this class at the machine's vector width and at 256 and 128 bits (MaxVectorSize): the fresh
        // JVM measures at the same width.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:MaxVectorSize=")).forEach(command::add);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                AllocationFreeInferenceTest.class.getName(), model.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return output.lines().filter(l -> l.startsWith("bytes per inference")).findFirst().orElse(output);
    }

    /**
     * The non-convolution steps of YOLO-style detectors: Focus (strided Slices, Concat), convolutions with SiLU
     * (Sigmoid and Multiply), nearest and bilinear upsampling, a Concat of branches, then Reshape and Transpose of the head.
     */
    private Path detectorSteps() {
        Random r = new Random(9);
        Path file = dir.resolve("detector.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("detector", 17)
                .input("x", ElementType.F32, 1, 3, 64, 64)
                .initializer("w1", RandomData.tensor(r, 16, 12, 3, 3)).initializer("b1", RandomData.tensor(r, 16))
                .initializer("w2", RandomData.tensor(r, 16, 16, 1, 1))
                .initializer("s0", Tensor.of(new long[] {0}, 1)).initializer("s1", Tensor.of(new long[] {1}, 1))
                .initializer("end", Tensor.of(new long[] {Long.MAX_VALUE}, 1))
                .initializer("two", Tensor.of(new long[] {2}, 1))
                .initializer("ax2", Tensor.of(new long[] {2}, 1)).initializer("ax3", Tensor.of(new long[] {3}, 1))
                .initializer("roi", Tensor.of(new float[0], 0))
                .initializer("scales", Tensor.of(new float[] {1, 1, 2, 2}, 4))
                .initializer("shape", Tensor.of(new long[] {1, 48, -1}, 3))
                .output("y", ElementType.F32);
        String[] parts = new String[4];
        for (int i = 0; i < 4; i++) {
            String rows = "r" + i;
            b.node("Slice", "sh" + i).inputs("x", i % 2 == 0 ? "s0" : "s1", "end", "ax2", "two").outputs(rows);
            parts[i] = "p" + i;
            b.node("Slice", "sw" + i).inputs(rows, i < 2 ? "s0" : "s1", "end", "ax3", "two").outputs(parts[i]);
        }
        b.node("Concat", "focus").inputs(parts).outputs("f").attr("axis", 1);
        b.node("Conv", "c1").inputs("f", "w1", "b1").outputs("c1").attr("pads", 1, 1, 1, 1).attr("strides", 2, 2);
        b.node("Sigmoid", "sig1").inputs("c1").outputs("sig1");
        b.node("Mul", "silu1").inputs("c1", "sig1").outputs("a1");
        b.node("Conv", "c2").inputs("a1", "w2").outputs("c2");
        b.node("Sigmoid", "sig2").inputs("c2").outputs("sig2");
        b.node("Mul", "silu2").inputs("sig2", "c2").outputs("a2");
        b.node("Resize", "up").inputs("a2", "roi", "scales").outputs("up").attr("mode", "nearest");
        b.node("MaxPool", "mp").inputs("up").outputs("mp").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        b.node("Resize", "upl").inputs("a2", "roi", "scales").outputs("upl").attr("mode", "linear");
        b.node("MaxPool", "mpl").inputs("upl").outputs("mpl").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        b.node("Concat", "cat").inputs("mp", "a1", "mpl").outputs("cat").attr("axis", 1);
        b.node("Reshape", "flat").inputs("cat", "shape").outputs("flat");
        b.node("Transpose", "head").inputs("flat").outputs("y").attr("perm", 0, 2, 1);
        b.write(file);
        return file;
    }

    /**
     * Sibling convolutions run as one step (docs/architecture.md): two 1×1 heads written straight into their Concat,
     * and two 3×3 convolutions with ReLU whose stacked output is copied to each one's buffer (an Add reads both).
     */
    private Path siblingConvolutions() {
        Random r = new Random(11);
        Path file = dir.resolve("siblings.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("siblings", 17)
                .input("x", ElementType.F32, 1, 3, 24, 24)
                .initializer("ws", RandomData.tensor(r, 16, 3, 3, 3)).initializer("bs", RandomData.tensor(r, 16))
                .initializer("wa", RandomData.tensor(r, 4, 16, 1, 1)).initializer("ba", RandomData.tensor(r, 4))
                .initializer("wb", RandomData.tensor(r, 12, 16, 1, 1)).initializer("bb", RandomData.tensor(r, 12))
                .initializer("w1", RandomData.tensor(r, 16, 16, 3, 3)).initializer("b1", RandomData.tensor(r, 16))
                .initializer("w2", RandomData.tensor(r, 16, 16, 3, 3)).initializer("b2", RandomData.tensor(r, 16))
                .output("y", ElementType.F32);
        b.node("Conv", "stem").inputs("x", "ws", "bs").outputs("s").attr("pads", 1, 1, 1, 1);
        b.node("Relu", "rs").inputs("s").outputs("t");
        b.node("Conv", "ha").inputs("t", "wa", "ba").outputs("a");
        b.node("Conv", "hb").inputs("t", "wb", "bb").outputs("bo");
        b.node("Concat", "cat").inputs("a", "bo").outputs("cat").attr("axis", 1);
        b.node("Conv", "c1").inputs("t", "w1", "b1").outputs("c1").attr("pads", 1, 1, 1, 1);
        b.node("Relu", "r1").inputs("c1").outputs("r1");
        b.node("Conv", "c2").inputs("t", "w2", "b2").outputs("c2").attr("pads", 1, 1, 1, 1);
        b.node("Relu", "r2").inputs("c2").outputs("r2");
        b.node("Add", "sum").inputs("r1", "r2").outputs("sum");
        b.node("Add", "y").inputs("cat", "sum").outputs("y");
        b.write(file);
        return file;
    }

    @Test
    void siblingConvolutionsInferWithoutAllocating() throws Exception {
        assertAllocationFree(siblingConvolutions());
    }

    @Test
    void detectorStepsInferWithoutAllocating() throws Exception {
        assertAllocationFree(detectorSteps());
    }

    @Test
    void smallCnnInfersWithoutAllocating() throws Exception {
        assertAllocationFree(smallCnn());
    }

    @Test
    void blazeFaceInfersWithoutAllocating() throws Exception {
        assertAllocationFree(SharedData.require("models/face/blazeface.onnx"));
    }

    /** FaceMesh also has a reflect-mode Pad of its input and PReLU post-ops. */
    @Test
    void faceMeshInfersWithoutAllocating() throws Exception {
        assertAllocationFree(SharedData.require("models/face/facemesh.onnx"));
    }

    /**
     * A quantized MobileNet block as INT8 IRs have it: FakeQuantize → depthwise 3×3 → FakeQuantize → 1×1 convolution
     * with {@code i8} weights → ReLU (the depthwise step quantizes its input and writes the 1×1 layer's codes).
     */
    private Path int8Block() {
        Random r = new Random(6);
        int c = 24;
        var g = new dev.infero.core.graph.Graph("int8_block");
        var x = g.addParameter("x", ElementType.F32, dev.infero.core.types.PartialShape.of(1, c, 32, 32)).output(0);
        var w = g.addConstant("dw_w", RandomData.tensor(r, c, 1, 1, 3, 3)).output(0);
        var same = new dev.infero.core.ops.nn.WindowGeometry(new long[] {1, 1}, new long[] {1, 1},
                new long[] {1, 1}, new long[] {1, 1}, dev.infero.core.ops.nn.AutoPad.EXPLICIT, false);
        var dw = g.value(new dev.infero.core.ops.nn.GroupConvolution(same), "dw", fakeQuantize(g, "fq1", x), w);
        Tensor codes = Tensor.allocate(ElementType.I8, c, c, 1, 1);
        r.nextBytes(codes.bytes());
        var pw = int8Weights(g, "pw", codes);
        var one = new dev.infero.core.ops.nn.WindowGeometry(new long[] {1, 1}, new long[] {1, 1},
                new long[] {0, 0}, new long[] {0, 0}, dev.infero.core.ops.nn.AutoPad.EXPLICIT, false);
        var conv = g.value(new dev.infero.core.ops.nn.Convolution(one), "pw", fakeQuantize(g, "fq2", dw), pw);
        g.addResult("y", g.value(new dev.infero.core.ops.activation.Relu(), "relu", conv));
        return dev.infero.ir.IrWriter.write(g, dir, "int8_block").xml();
    }

    /** {@code i8} codes → Convert → Multiply by 0.01 per output channel, as quantized IRs store weights. */
    private static dev.infero.core.graph.Value int8Weights(dev.infero.core.graph.Graph g, String name, Tensor codes) {
        int cout = codes.shape()[0];
        float[] scales = new float[cout];
        java.util.Arrays.fill(scales, 0.01f);
        return g.value(new dev.infero.core.ops.eltwise.Multiply(), name + "_w",
                g.value(new dev.infero.core.ops.eltwise.Convert(ElementType.F32), name + "_f32",
                        g.addConstant(name + "_i8", codes).output(0)),
                g.addConstant(name + "_scale", Tensor.of(scales, cout, 1, 1, 1)).output(0));
    }

    /**
     * A ResNet-style INT8 pair: 1×1 convolution whose sums could pass 2^24 (1,100 input channels of extreme codes: int32
     * sums in the micro-kernel) → ReLU → FakeQuantize → INT8 3×3 convolution, the first writing the second's codes.
     */
    private Path int8Bottleneck() {
        Random r = new Random(7);
        int c = 1100;
        int mid = 32;
        var g = new dev.infero.core.graph.Graph("int8_bottleneck");
        var x = g.addParameter("x", ElementType.F32, dev.infero.core.types.PartialShape.of(1, c, 14, 14)).output(0);
        Tensor wide = Tensor.allocate(ElementType.I8, mid, c, 1, 1);
        java.util.Arrays.fill(wide.bytes(), (byte) 127);
        Tensor three = Tensor.allocate(ElementType.I8, mid, mid, 3, 3);
        r.nextBytes(three.bytes());
        var one = new dev.infero.core.ops.nn.WindowGeometry(new long[] {1, 1}, new long[] {1, 1},
                new long[] {0, 0}, new long[] {0, 0}, dev.infero.core.ops.nn.AutoPad.EXPLICIT, false);
        var same = new dev.infero.core.ops.nn.WindowGeometry(new long[] {1, 1}, new long[] {1, 1},
                new long[] {1, 1}, new long[] {1, 1}, dev.infero.core.ops.nn.AutoPad.EXPLICIT, false);
        var conv1 = g.value(new dev.infero.core.ops.nn.Convolution(one), "conv1", fakeQuantize(g, "fq1", x),
                int8Weights(g, "w1", wide));
        var relu1 = g.value(new dev.infero.core.ops.activation.Relu(), "relu1", conv1);
        var conv2 = g.value(new dev.infero.core.ops.nn.Convolution(same), "conv2", fakeQuantize(g, "fq2", relu1),
                int8Weights(g, "w2", three));
        g.addResult("y", g.value(new dev.infero.core.ops.activation.Relu(), "relu2", conv2));
        return dev.infero.ir.IrWriter.write(g, dir, "int8_bottleneck").xml();
    }

    private static dev.infero.core.graph.Value fakeQuantize(dev.infero.core.graph.Graph g, String name,
                                                           dev.infero.core.graph.Value x) {
        var range = new dev.infero.core.graph.Value[4];
        for (int i = 0; i < 4; i++) {
            range[i] = g.addConstant(name + "_r" + i, Tensor.of(new float[] {i % 2 == 0 ? -2f : 2f * 127 / 128},
                    1, 1, 1, 1)).output(0);
        }
        return g.value(new dev.infero.core.ops.quantization.FakeQuantize(256), name, x, range[0], range[1], range[2],
                range[3]);
    }

    @Test
    void int8DepthwiseBlockInfersWithoutAllocating() throws Exception {
        assertAllocationFree(int8Block());
    }

    @Test
    void int8ConvolutionsWritingCodesAndCarryingInt32SumsInferWithoutAllocating() throws Exception {
        assertAllocationFree(int8Bottleneck());
    }

    /**
     * An INT8 model's first convolution: FakeQuantize of a 3-channel image → 3×3 stride-2 convolution with {@code i8}
     * weights → ReLU (a few-channel stem: quads over taps, each band packed into per-thread buffers).
     */
    private Path int8Stem() {
        Random r = new Random(8);
        var g = new dev.infero.core.graph.Graph("int8_stem");
        var x = g.addParameter("x", ElementType.F32, dev.infero.core.types.PartialShape.of(1, 3, 64, 64)).output(0);
        Tensor codes = Tensor.allocate(ElementType.I8, 16, 3, 3, 3);
        r.nextBytes(codes.bytes());
        var strided = new dev.infero.core.ops.nn.WindowGeometry(new long[] {2, 2}, new long[] {1, 1},
                new long[] {1, 1}, new long[] {1, 1}, dev.infero.core.ops.nn.AutoPad.EXPLICIT, false);
        var conv = g.value(new dev.infero.core.ops.nn.Convolution(strided), "conv", fakeQuantize(g, "fq", x),
                int8Weights(g, "w", codes));
        g.addResult("y", g.value(new dev.infero.core.ops.activation.Relu(), "relu", conv));
        return dev.infero.ir.IrWriter.write(g, dir, "int8_stem").xml();
    }

    @Test
    void int8StemInfersWithoutAllocating() throws Exception {
        assertAllocationFree(int8Stem());
    }
}
