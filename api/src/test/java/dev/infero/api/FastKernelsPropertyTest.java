package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.ops.quantization.QuantizeLinear;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.testing.RandomData;
import dev.infero.testing.TensorAssert;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fast CPU kernel computes what its reference op computes, on random shapes: odd sizes, padding (symmetric and
 * not), strides, dilations, groups, batch &gt; 1. Each model is compiled with a static input (fast kernels) and with
 * a dynamic batch (reference kernels, shapes inferred at run time), and both run the same input.
 */
class FastKernelsPropertyTest {
    @TempDir
    Path dir;

    /**
     * A random input of {@code shape} (batch first) and a small model built by {@code body} on it, checked fast vs
     * reference; some step of the fast run must have an exec type containing {@code fastExec}.
     */
    private void check(String name, int seed, int[] shape, Consumer<OnnxModelBuilder> body, String fastExec) {
        Random r = new Random(seed);
        Tensor x = RandomData.tensor(r, shape);
        Tensor[] results = new Tensor[2];
        try (Core core = new Core()) {
            for (int pass = 0; pass < 2; pass++) {
                long batch = pass == 0 ? shape[0] : -1;
                OnnxModelBuilder b = new OnnxModelBuilder(name, 17)
                        .input("x", ElementType.F32, dims(batch, shape))
                        .output("y", ElementType.F32);
                body.accept(b);
                Path file = dir.resolve(name + pass + ".onnx");
                b.write(file);
                InferRequest request = core.compileModel(file, "CPU").createInferRequest();
                request.setProfiling(true);
                request.setInput(0, x);
                request.infer();
                results[pass] = request.getOutput(0).copy();
                if (pass == 0) {
                    assertTrue(request.getProfilingInfo().stream().map(ProfilingInfo::execType)
                                    .anyMatch(e -> e.contains(fastExec)),
                            name + " runs on the fast kernel: " + request.getProfilingInfo());
                }
            }
        }
        TensorAssert.assertClose(results[1], results[0], 1e-4, 1e-5);
    }

    private static long[] dims(long batch, int[] shape) {
        long[] dims = new long[shape.length];
        dims[0] = batch;
        for (int i = 1; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        return dims;
    }

    private static int[] randomShape(Random r) {
        return new int[] {1 + r.nextInt(2), 1 + r.nextInt(7), 3 + r.nextInt(20), 3 + r.nextInt(20)};
    }

    @RepeatedTest(25)
    void pooling(RepetitionInfo info) {
        Random r = new Random(info.getCurrentRepetition());
        int[] shape = randomShape(r);
        int k = 1 + r.nextInt(Math.min(4, Math.min(shape[2], shape[3])));
        int kw = 1 + r.nextInt(Math.min(4, shape[3]));
        int s = 1 + r.nextInt(3);
        int sw = 1 + r.nextInt(3);
        int pt = r.nextInt(k);
        int pb = r.nextInt(k);
        int pl = r.nextInt(kw);
        int pr = r.nextInt(kw);
        boolean max = r.nextBoolean();
        long ceil = r.nextInt(2);
        long includePad = r.nextInt(2);
        check("pool" + info.getCurrentRepetition(), info.getCurrentRepetition(), shape, b -> {
            var n = b.node(max ? "MaxPool" : "AveragePool", "pool").inputs("x").outputs("y")
                    .attr("kernel_shape", k, kw).attr("strides", s, sw)
                    .attr("pads", pt, pl, pb, pr).attr("ceil_mode", ceil);
            if (!max) {
                n.attr("count_include_pad", includePad);
            }
        }, max ? "max_pool" : "avg_pool");
    }

    @RepeatedTest(25)
    void depthwiseAndGroupedConvolution(RepetitionInfo info) {
        Random r = new Random(100 + info.getCurrentRepetition());
        int[] shape = randomShape(r);
        int c = shape[1];
        boolean depthwise = r.nextInt(3) > 0;
        int groups = depthwise ? c : 1;
        int cout = depthwise ? c : 1 + r.nextInt(9);
        int k = 1 + r.nextInt(5);
        int d = 1 + r.nextInt(2);
        int s = 1 + r.nextInt(2);
        int span = (k - 1) * d + 1;
        int pad = r.nextInt(k);
        int padEnd = r.nextInt(k);
        if (span > Math.min(shape[2], shape[3]) + pad + padEnd) {
            d = 1;
            k = 1;
        }
        int kk = k;
        int dd = d;
        Tensor w = RandomData.tensor(r, cout, c / groups, k, k);
        Tensor bias = RandomData.tensor(r, cout);
        Tensor slope = RandomData.tensor(r, cout, 1, 1);
        check("conv" + info.getCurrentRepetition(), info.getCurrentRepetition(), shape, b -> {
            b.initializer("w", w).initializer("b", bias).initializer("slope", slope);
            b.node("Conv", "conv").inputs("x", "w", "b").outputs("conv").attr("group", groups)
                    .attr("kernel_shape", kk, kk).attr("strides", s, s).attr("dilations", dd, dd)
                    .attr("pads", pad, pad, padEnd, padEnd);
            b.node("PRelu", "prelu").inputs("conv", "slope").outputs("y");
        }, depthwise && c > 1 ? "depthwise" : ""); // one channel is a one-group convolution too
    }

    @RepeatedTest(15)
    void constantPad(RepetitionInfo info) {
        Random r = new Random(200 + info.getCurrentRepetition());
        int[] shape = randomShape(r);
        long[] pads = new long[8];
        for (int i = 1; i < 8; i++) {
            boolean spatial = i % 4 >= 2;
            pads[i] = i == 4 ? 0 : r.nextInt(5) - (spatial ? 1 : 0); // negative pads crop
        }
        Tensor padTensor = Tensor.of(pads, 8);
        Tensor value = Tensor.scalar(r.nextFloat());
        check("pad" + info.getCurrentRepetition(), info.getCurrentRepetition(), shape, b -> {
            b.initializer("pads", padTensor).initializer("value", value);
            b.node("Pad", "pad").inputs("x", "pads", "value").outputs("y");
        }, "block_copy");
    }

    @RepeatedTest(20)
    void fullyConnectedWithBiasAndActivation(RepetitionInfo info) {
        Random r = new Random(300 + info.getCurrentRepetition());
        int rows = 1 + r.nextInt(3) * (1 + r.nextInt(20)); // batch-1 dot products and the packed GEMM
        int depth = 1 + r.nextInt(70);
        int columns = 1 + r.nextInt(r.nextBoolean() ? 40 : 150); // batch 1: whole column blocks of the gemv too
        boolean transB = r.nextBoolean();
        boolean gemm = r.nextBoolean();
        int act = r.nextInt(3);
        Tensor w = transB ? RandomData.tensor(r, columns, depth) : RandomData.tensor(r, depth, columns);
        Tensor bias = RandomData.tensor(r, columns);
        check("fc" + info.getCurrentRepetition(), info.getCurrentRepetition(), new int[] {rows, depth}, b -> {
            b.initializer("w", w).initializer("b", bias);
            String mm = act == 0 ? "y" : "mm";
            if (gemm) {
                b.node("Gemm", "gemm").inputs("x", "w", "b").outputs(mm).attr("transB", transB ? 1L : 0L);
            } else {
                if (transB) {
                    b.node("Transpose", "t").inputs("w").outputs("wt");
                }
                b.node("MatMul", "matmul").inputs("x", transB ? "wt" : "w").outputs("prod");
                b.node("Add", "add").inputs("prod", "b").outputs(mm);
            }
            if (act == 1) {
                b.node("Relu", "relu").inputs(mm).outputs("y");
            } else if (act == 2) {
                b.node("Clip", "clip").inputs(mm).outputs("y").attr("min", -0.5f).attr("max", 0.5f);
            }
        }, rows >= 4 ? "gemm_" + (dev.infero.cpu.jit.Jit.isa() != null ? "jit_" : "vector") : "gemv_vector");
    }

    @RepeatedTest(20)
    void batchNormFoldedIntoConvolution(RepetitionInfo info) {
        Random r = new Random(400 + info.getCurrentRepetition());
        int[] shape = randomShape(r);
        int cout = 1 + r.nextInt(9);
        int k = 1 + r.nextInt(Math.min(3, Math.min(shape[2], shape[3])));
        boolean withBias = r.nextBoolean();
        boolean residual = r.nextBoolean() && k == 1;
        Tensor w = RandomData.tensor(r, cout, shape[1], k, k);
        Tensor convBias = RandomData.tensor(r, cout);
        Tensor gamma = RandomData.tensor(r, cout);
        Tensor beta = RandomData.tensor(r, cout);
        Tensor mean = RandomData.tensor(r, cout);
        Tensor var = RandomData.tensor(r, cout);
        for (int c = 0; c < cout; c++) {
            var.floats()[c] = var.floats()[c] + 1.5f;
        }
        Tensor skipW = RandomData.tensor(r, cout, shape[1], 1, 1);
        check("bn" + info.getCurrentRepetition(), info.getCurrentRepetition(), shape, b -> {
            b.initializer("w", w).initializer("cb", convBias).initializer("gamma", gamma).initializer("beta", beta)
                    .initializer("mean", mean).initializer("var", var).initializer("skip_w", skipW);
            b.node("Conv", "conv").inputs(withBias ? new String[] {"x", "w", "cb"} : new String[] {"x", "w"})
                    .outputs("conv").attr("kernel_shape", k, k);
            b.node("BatchNormalization", "bn").inputs("conv", "gamma", "beta", "mean", "var").outputs("bn")
                    .attr("epsilon", 1e-3f);
            String act = "bn";
            if (residual) {
                b.node("Conv", "skip").inputs("x", "skip_w").outputs("skip").attr("kernel_shape", 1, 1);
                b.node("Add", "res").inputs("bn", "skip").outputs("sum");
                act = "sum";
            }
            b.node("Relu", "relu").inputs(act).outputs("y");
        }, "FP32+scale+bias+" + (residual ? "add+" : "") + "relu");
    }

    @RepeatedTest(20)
    void standaloneElementwise(RepetitionInfo info) {
        Random r = new Random(500 + info.getCurrentRepetition());
        int[] shape = randomShape(r);
        int c = shape[1];
        Tensor[] operands = {RandomData.tensor(r, shape[1], 1, 1), RandomData.tensor(r, 1, c, 1, 1), RandomData.tensor(r, 1), RandomData.tensor(r, 1, 1, 1, 1)};
        Tensor first = operands[r.nextInt(operands.length)];
        Tensor second = operands[r.nextInt(operands.length)];
        check("eltwise" + info.getCurrentRepetition(), info.getCurrentRepetition(), shape, b -> {
            b.initializer("p", first).initializer("q", second);
            b.node("Mul", "mul").inputs("p", "x").outputs("scaled");
            b.node("Add", "shift").inputs("scaled", "q").outputs("shifted");
            b.node("Add", "twice").inputs("shifted", "x").outputs("sum");
            b.node("Relu", "relu").inputs("sum").outputs("y");
        }, "eltwise_chain_"); // Mul → Add, then Add → ReLU: two eltwise-chain steps
    }

    /**
     * QuantizeLinear (u8 and i8, odd and even zero points) and the Convert of its codes, exactly as the reference op:
     * values on the grid, exact ties {@code (k + 1/2) · scale} (scale a power of two, so they are representable),
     * values beyond the range, ±∞, NaN and random values; all element counts, so the scalar tails run too.
     */
    @RepeatedTest(8)
    void quantizeLinearExactly(RepetitionInfo info) {
        int rep = info.getCurrentRepetition();
        Random r = new Random(1300 + rep);
        boolean unsigned = rep % 2 == 0;
        ElementType type = unsigned ? ElementType.U8 : ElementType.I8;
        int zeroPoint = unsigned ? 1 + r.nextInt(254) : -127 + r.nextInt(254);
        float scale = rep % 4 < 2 ? 0.0625f : 0.01f + r.nextFloat() * 0.1f;
        int[] shape = {1, 1 + r.nextInt(5), 1 + r.nextInt(9), 1 + r.nextInt(33)};
        Tensor x = Tensor.allocate(ElementType.F32, shape);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f, -1e30f, 0f, -0f};
        for (int i = 0; i < x.size(); i++) {
            int k = r.nextInt(300) - 150;
            x.floats()[i] = switch (r.nextInt(5)) {
                case 0 -> k * scale;
                case 1 -> (k + 0.5f) * scale;
                case 2 -> special[r.nextInt(special.length)];
                default -> (r.nextFloat() - 0.5f) * 400 * scale;
            };
        }
        boolean perChannel = rep > 4; // one scale and zero point per channel (axis 1), as for depthwise layers
        int channels = perChannel ? shape[1] : 1;
        Tensor zp = perChannel ? Tensor.allocate(type, channels) : Tensor.allocate(type);
        Tensor scales = perChannel ? Tensor.allocate(ElementType.F32, channels) : Tensor.scalar(scale);
        for (int c = 0; c < channels; c++) {
            zp.setLong(c, c == 0 ? zeroPoint : unsigned ? r.nextInt(256) : r.nextInt(256) - 128);
            scales.floats()[c] = c == 0 ? scale : 0.0625f * (1 + r.nextInt(3));
        }
        Tensor codes = Tensor.allocate(type, shape);
        Tensor[] parameters = perChannel ? new Tensor[] {scales.reshape(1, channels, 1, 1), zp.reshape(1, channels, 1, 1)}
                : new Tensor[] {scales, zp};
        new QuantizeLinear(type).evaluate(new Tensor[] {x, parameters[0], parameters[1]}, new Tensor[] {codes});
        float[] expected = new float[codes.size()];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = codes.getLong(i);
        }
        float[] actual;
        try (Core core = new Core()) {
            OnnxModelBuilder b = new OnnxModelBuilder("q" + rep, 17).input("x", ElementType.F32, dims(shape[0], shape))
                    .output("y", ElementType.F32);
            b.initializer("s", scales).initializer("zp", zp);
            b.node("QuantizeLinear", "q").inputs("x", "s", "zp").outputs("codes").attr("axis", 1L);
            b.node("Cast", "f").inputs("codes").outputs("y").attr("to", 1L);
            Path file = dir.resolve("q" + rep + ".onnx");
            b.write(file);
            InferRequest request = core.compileModel(file, "CPU").createInferRequest();
            request.setProfiling(true);
            request.setInput(0, x);
            request.infer();
            actual = request.getOutput(0).toFloatArray();
            for (String exec : new String[] {"quantize_linear_vector", "convert_vector"}) {
                assertTrue(request.getProfilingInfo().stream().map(ProfilingInfo::execType)
                        .anyMatch(e -> e.startsWith(exec)), exec + ": " + request.getProfilingInfo());
            }
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, 0f, "QuantizeLinear's reference codes");
    }

    @RepeatedTest(10)
    void crossChannelLrn(RepetitionInfo info) {
        Random r = new Random(900 + info.getCurrentRepetition());
        int[] shape = randomShape(r);
        long size = 1 + r.nextInt(6);
        float alpha = 1e-4f + r.nextFloat() * 0.01f;
        float beta = 0.5f + r.nextFloat() * 0.5f;
        float bias = 1f + r.nextFloat();
        check("lrn" + info.getCurrentRepetition(), info.getCurrentRepetition(), shape,
                b -> b.node("LRN", "lrn").inputs("x").outputs("y").attr("size", size).attr("alpha", alpha)
                        .attr("beta", beta).attr("bias", bias), "lrn_across_channels");
    }

    @RepeatedTest(24)
    void reductionOverConsecutiveAxes(RepetitionInfo info) {
        int rep = info.getCurrentRepetition();
        Random r = new Random(1100 + rep);
        int[] shape = {1 + r.nextInt(2), 1 + r.nextInt(40), 1 + r.nextInt(20), 1 + r.nextInt(20)};
        String[] ops = {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum"};
        String op = ops[rep % ops.length];
        int first = r.nextInt(4);
        int last = first + r.nextInt(4 - first);
        long[] axes = new long[last - first + 1];
        for (int i = 0; i < axes.length; i++) {
            // Negative axes count from the end.
            axes[i] = r.nextBoolean() ? first + i : first + i - 4;
        }
        long keep = r.nextInt(2);
        String fast = op.toLowerCase().replace("reduce", "reduce_");
        check("reduce" + rep, rep, shape, b -> {
            if (op.equals("ReduceSum")) {
                b.initializer("axes", Tensor.of(axes, axes.length));
                b.node(op, "reduce").inputs("x", "axes").outputs("y").attr("keepdims", keep);
            } else {
                b.node(op, "reduce").inputs("x").outputs("y").attr("axes", axes).attr("keepdims", keep);
            }
        }, fast);
    }

    @RepeatedTest(4)
    void globalPooling(RepetitionInfo info) {
        int rep = info.getCurrentRepetition();
        Random r = new Random(1200 + rep);
        int[] shape = {1 + r.nextInt(2), 1 + r.nextInt(70), 1 + r.nextInt(16), 1 + r.nextInt(16)};
        String op = rep % 2 == 0 ? "GlobalAveragePool" : "GlobalMaxPool";
        check("global" + rep, rep, shape, b -> b.node(op, "gp").inputs("x").outputs("y"),
                rep % 2 == 0 ? "reduce_mean" : "reduce_max");
    }

    @RepeatedTest(12)
    void softmaxAlongAnyAxis(RepetitionInfo info) {
        int rep = info.getCurrentRepetition();
        Random r = new Random(1300 + rep);
        int[] shape = randomShape(r);
        long axis = r.nextInt(8) - 4;
        check("softmax" + rep, rep, shape, b -> b.node("Softmax", "softmax").inputs("x").outputs("y")
                .attr("axis", axis), "softmax_FP32");
    }

    @RepeatedTest(16)
    void nearestResize(RepetitionInfo info) {
        int rep = info.getCurrentRepetition();
        Random r = new Random(1400 + rep);
        int[] shape = randomShape(r);
        String[] coordinates = {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"};
        String[] rounding = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
        String coordinate = coordinates[r.nextInt(coordinates.length)];
        String nearest = rounding[r.nextInt(rounding.length)];
        // Integer factors (FPN upsampling) and fractional ones, up and down.
        float sh = rep % 2 == 0 ? 1 + r.nextInt(3) : 0.5f + r.nextFloat() * 2;
        float sw = rep % 2 == 0 ? 1 + r.nextInt(3) : 0.5f + r.nextFloat() * 2;
        check("resize" + rep, rep, shape, b -> {
            b.initializer("roi", Tensor.of(new float[0], 0));
            b.initializer("scales", Tensor.of(new float[] {1, 1, sh, sw}, 4));
            b.node("Resize", "resize").inputs("x", "roi", "scales").outputs("y").attr("mode", "nearest")
                    .attr("coordinate_transformation_mode", coordinate).attr("nearest_mode", nearest);
        }, "nearest_resize_FP32");
    }

    @RepeatedTest(16)
    void linearResize(RepetitionInfo info) {
        int rep = info.getCurrentRepetition();
        Random r = new Random(1500 + rep);
        int[] shape = randomShape(r);
        // Not tf_half_pixel_for_nn: it shifts even the unscaled batch and channel axes by half a point, so that
        // resize blends channels and stays on the reference (LinearResizeStepTest covers it over H and W alone).
        String[] coordinates = {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel",
                "half_pixel_symmetric"};
        String coordinate = coordinates[r.nextInt(coordinates.length)];
        // Integer factors (FPN upsampling) by scales, and fractional ones, up and down, by sizes.
        boolean bySizes = rep % 2 == 1;
        float sh = 1 + r.nextInt(3);
        float sw = 1 + r.nextInt(3);
        long oh = 1 + r.nextInt(2 * shape[2]);
        long ow = 1 + r.nextInt(2 * shape[3]);
        check("linear" + rep, rep, shape, b -> {
            b.initializer("roi", Tensor.of(new float[0], 0));
            if (bySizes) {
                b.initializer("scales", Tensor.of(new float[0], 0));
                b.initializer("sizes", Tensor.of(new long[] {shape[0], shape[1], oh, ow}, 4));
                b.node("Resize", "resize").inputs("x", "roi", "scales", "sizes").outputs("y").attr("mode", "linear")
                        .attr("coordinate_transformation_mode", coordinate);
            } else {
                b.initializer("scales", Tensor.of(new float[] {1, 1, sh, sw}, 4));
                b.node("Resize", "resize").inputs("x", "roi", "scales").outputs("y").attr("mode", "linear")
                        .attr("coordinate_transformation_mode", coordinate);
            }
        }, "linear_resize_FP32");
    }
}
