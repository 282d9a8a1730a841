package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
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

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = r.nextFloat() * 2 - 1;
        }
        return t;
    }

    /** A random [N, C, H, W] input and a one-op model built by {@code body} on it, checked fast vs reference. */
    private void check(String name, int seed, int[] shape, Consumer<OnnxModelBuilder> body, String fastExecPrefix) {
        Random r = new Random(seed);
        Tensor x = random(r, shape);
        Tensor[] results = new Tensor[2];
        try (Core core = new Core()) {
            for (int pass = 0; pass < 2; pass++) {
                long batch = pass == 0 ? shape[0] : -1;
                OnnxModelBuilder b = new OnnxModelBuilder(name, 17)
                        .input("x", ElementType.F32, batch, shape[1], shape[2], shape[3])
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
                                    .anyMatch(e -> e.startsWith(fastExecPrefix)),
                            name + " runs on the fast kernel: " + request.getProfilingInfo());
                }
            }
        }
        TensorAssert.assertClose(results[1], results[0], 1e-4, 1e-5);
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
        Tensor w = random(r, cout, c / groups, k, k);
        Tensor bias = random(r, cout);
        Tensor slope = random(r, cout, 1, 1);
        check("conv" + info.getCurrentRepetition(), info.getCurrentRepetition(), shape, b -> {
            b.initializer("w", w).initializer("b", bias).initializer("slope", slope);
            b.node("Conv", "conv").inputs("x", "w", "b").outputs("conv").attr("group", groups)
                    .attr("kernel_shape", kk, kk).attr("strides", s, s).attr("dilations", dd, dd)
                    .attr("pads", pad, pad, padEnd, padEnd);
            b.node("PRelu", "prelu").inputs("conv", "slope").outputs("y");
        }, depthwise ? "depthwise" : "");
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
}
