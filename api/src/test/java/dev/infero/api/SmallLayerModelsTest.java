package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.testing.RandomData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random models of many small layers, as small face and detection models have them (chains of 1×1 and depthwise
 * convolutions with residual adds and pooling, and blocks of 2–4 parallel branches joined by a Concat): at 2 threads
 * every inference, before, during and after the request measures its steps for the split gate, gives exactly the
 * 1-thread outputs; so do detector-neck-like models of fire modules, CSP, SPP and SPPF blocks (in-place Concats and
 * large-window pooling). With {@code -Dinfero.test.modelsDir=DIR} the models are also written there, for benchmarks of the
 * thread rules on shapes outside the shared model set.
 */
class SmallLayerModelsTest {
    /** Enough inferences to pass the split gate's warm-up and measurement (CpuRequest's SplitChooser). */
    private static final int RUNS = 80;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void chainsOfSmallLayersGiveTheOneThreadOutputsAtTwoThreads(int seed) throws Exception {
        checkAgainstOneThread(write(chain(new Random(seed), "chain" + seed), "chain" + seed));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void branchyModelsGiveTheOneThreadOutputsAtTwoThreads(int seed) throws Exception {
        checkAgainstOneThread(write(branchy(new Random(100 + seed), "branchy" + seed), "branchy" + seed));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void poolingNecksGiveTheOneThreadOutputsAtTwoThreads(int seed) throws Exception {
        checkAgainstOneThread(write(neck(new Random(200 + seed), "neck" + seed), "neck" + seed));
    }

    private Path write(OnnxModelBuilder b, String name) throws Exception {
        Path file = dir.resolve(name + ".onnx");
        b.write(file);
        String keep = System.getProperty("infero.test.modelsDir");
        if (keep != null) {
            Files.createDirectories(Path.of(keep));
            Files.copy(file, Path.of(keep, name + ".onnx"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    private static void checkAgainstOneThread(Path file) {
        try (Core core = new Core();
                CompiledModel one = core.compileModel(core.readModel(file), "CPU",
                        Map.of("PERFORMANCE_HINT", "LATENCY", "INFERENCE_NUM_THREADS", "1"));
                CompiledModel two = core.compileModel(core.readModel(file), "CPU",
                        Map.of("PERFORMANCE_HINT", "LATENCY", "INFERENCE_NUM_THREADS", "2"))) {
            Tensor input = RandomData.tensor(new Random(7), one.inputs().get(0).shape().toArray());
            InferRequest reference = one.createInferRequest();
            reference.setInput(0, input);
            reference.infer();
            float[] expected = reference.getOutput(0).floats().clone();
            InferRequest request = two.createInferRequest();
            request.setInput(0, input);
            for (int run = 0; run < RUNS; run++) {
                request.infer();
                assertArrayEquals(expected, request.getOutput(0).floats(), file.getFileName() + " run " + run);
            }
        }
    }

    /** Stem, then 12–20 small layers: 1×1 and depthwise 3×3 convolutions, ReLU, residual adds, 2×2 max pooling. */
    static OnnxModelBuilder chain(Random r, String name) {
        int c = 8 + 8 * r.nextInt(3);
        int hw = 32 + 16 * r.nextInt(3);
        OnnxModelBuilder b = new OnnxModelBuilder(name, 17).input("x", ElementType.F32, 1, 3, hw, hw);
        b.initializer("w0", RandomData.tensor(r, c, 3, 3, 3)).initializer("b0", RandomData.tensor(r, c));
        b.node("Conv", "stem").inputs("x", "w0", "b0").outputs("t0").attr("pads", 1, 1, 1, 1).attr("strides", 2, 2);
        String last = "t0";
        int layers = 12 + r.nextInt(9);
        for (int i = 1; i <= layers; i++) {
            String out = "t" + i;
            int kind = r.nextInt(5);
            if (kind == 0) {
                b.initializer("wd" + i, RandomData.tensor(r, c, 1, 3, 3)).initializer("bd" + i, RandomData.tensor(r, c));
                b.node("Conv", "dw" + i).inputs(last, "wd" + i, "bd" + i).outputs(out).attr("group", c)
                        .attr("pads", 1, 1, 1, 1);
            } else if (kind == 1 || kind == 2) {
                int next = kind == 2 && c < 64 ? 2 * c : c;
                b.initializer("wp" + i, RandomData.tensor(r, next, c, 1, 1)).initializer("bp" + i, RandomData.tensor(r, next));
                b.node("Conv", "pw" + i).inputs(last, "wp" + i, "bp" + i).outputs("c" + i);
                b.node("Relu", "relu" + i).inputs("c" + i).outputs(out);
                c = next;
            } else if (kind == 3 && hw >= 16) {
                b.node("MaxPool", "mp" + i).inputs(last).outputs(out).attr("kernel_shape", 2, 2).attr("strides", 2, 2);
                hw /= 2;
            } else {
                b.initializer("wr" + i, RandomData.tensor(r, c, c, 1, 1));
                b.node("Conv", "res" + i).inputs(last, "wr" + i).outputs("r" + i);
                b.node("Add", "add" + i).inputs("r" + i, last).outputs(out);
            }
            last = out;
        }
        b.node("GlobalAveragePool", "gap").inputs(last).outputs("y");
        b.output("y", ElementType.F32);
        return b;
    }

    /**
     * What detector necks and SqueezeNet-like classifiers do around Concat and pooling: a stride-2 stem, two fire
     * modules (1×1 squeeze, then 1×1 and 3×3 expands joined by a Concat) around a 3×3 stride-2 max pooling with ceil
     * rounding, a CSP-like block (two 1×1 branches, one through a depthwise and a 1×1 convolution, joined), SPP (the
     * value and its 5×5, 9×9 and 13×13 stride-1 max poolings joined) and SPPF (three chained 5×5 poolings joined
     * with their input), each followed by a 1×1 convolution.
     */
    static OnnxModelBuilder neck(Random r, String name) {
        int hw = 96 + 32 * r.nextInt(3);
        OnnxModelBuilder b = new OnnxModelBuilder(name, 17).input("x", ElementType.F32, 1, 3, hw, hw);
        b.initializer("w0", RandomData.tensor(r, 32, 3, 3, 3)).initializer("b0", RandomData.tensor(r, 32));
        b.node("Conv", "stem").inputs("x", "w0", "b0").outputs("s0").attr("pads", 1, 1, 1, 1).attr("strides", 2, 2);
        b.node("Relu", "stem_relu").inputs("s0").outputs("s");
        String last = "s";
        int c = 32;
        for (int f = 0; f < 2; f++) {
            String p = "fire" + f;
            int sq = 16 + 16 * f;
            int ex = 4 * sq;
            b.initializer(p + "_ws", RandomData.tensor(r, sq, c, 1, 1)).initializer(p + "_bs", RandomData.tensor(r, sq));
            b.node("Conv", p + "_squeeze").inputs(last, p + "_ws", p + "_bs").outputs(p + "_s0");
            b.node("Relu", p + "_sr").inputs(p + "_s0").outputs(p + "_s");
            b.initializer(p + "_w1", RandomData.tensor(r, ex, sq, 1, 1)).initializer(p + "_b1", RandomData.tensor(r, ex));
            b.node("Conv", p + "_e1").inputs(p + "_s", p + "_w1", p + "_b1").outputs(p + "_e10");
            b.node("Relu", p + "_r1").inputs(p + "_e10").outputs(p + "_a");
            b.initializer(p + "_w3", RandomData.tensor(r, ex, sq, 3, 3)).initializer(p + "_b3", RandomData.tensor(r, ex));
            b.node("Conv", p + "_e3").inputs(p + "_s", p + "_w3", p + "_b3").outputs(p + "_e30")
                    .attr("pads", 1, 1, 1, 1);
            b.node("Relu", p + "_r3").inputs(p + "_e30").outputs(p + "_b");
            b.node("Concat", p + "_cat").inputs(p + "_a", p + "_b").outputs(p).attr("axis", 1L);
            c = 2 * ex;
            b.node("MaxPool", p + "_pool").inputs(p).outputs(p + "_p").attr("kernel_shape", 3, 3)
                    .attr("strides", 2, 2).attr("ceil_mode", 1L);
            last = p + "_p";
        }
        int half = c / 2;
        b.initializer("csp_w1", RandomData.tensor(r, half, c, 1, 1)).initializer("csp_w2", RandomData.tensor(r, half, c, 1, 1));
        b.node("Conv", "csp_1").inputs(last, "csp_w1").outputs("csp_a0");
        b.initializer("csp_wd", RandomData.tensor(r, half, 1, 3, 3));
        b.node("Conv", "csp_dw").inputs("csp_a0", "csp_wd").outputs("csp_a1").attr("group", half).attr("pads", 1, 1, 1, 1);
        b.initializer("csp_w3", RandomData.tensor(r, half, half, 1, 1));
        b.node("Conv", "csp_3").inputs("csp_a1", "csp_w3").outputs("csp_a");
        b.node("Conv", "csp_2").inputs(last, "csp_w2").outputs("csp_b");
        b.node("Concat", "csp_cat").inputs("csp_a", "csp_b").outputs("csp").attr("axis", 1L);
        b.initializer("spp_w", RandomData.tensor(r, half, c, 1, 1));
        b.node("Conv", "spp_in").inputs("csp", "spp_w").outputs("spp_x");
        for (int k : new int[] {5, 9, 13}) {
            b.node("MaxPool", "spp_" + k).inputs("spp_x").outputs("spp_p" + k).attr("kernel_shape", k, k)
                    .attr("pads", k / 2, k / 2, k / 2, k / 2);
        }
        b.node("Concat", "spp_cat").inputs("spp_x", "spp_p5", "spp_p9", "spp_p13").outputs("spp").attr("axis", 1L);
        b.initializer("sppf_w", RandomData.tensor(r, half, 4 * half, 1, 1));
        b.node("Conv", "sppf_in").inputs("spp", "sppf_w").outputs("sppf_x");
        String prev = "sppf_x";
        for (int i = 1; i <= 3; i++) {
            b.node("MaxPool", "sppf_" + i).inputs(prev).outputs("sppf_p" + i).attr("kernel_shape", 5, 5)
                    .attr("pads", 2, 2, 2, 2);
            prev = "sppf_p" + i;
        }
        b.node("Concat", "sppf_cat").inputs("sppf_x", "sppf_p1", "sppf_p2", "sppf_p3").outputs("sppf").attr("axis", 1L);
        b.initializer("wh", RandomData.tensor(r, 16, 4 * half, 1, 1));
        b.node("Conv", "head").inputs("sppf", "wh").outputs("y");
        b.output("y", ElementType.F32);
        return b;
    }

    /**
     * Stem, then 2–3 blocks of 2–4 parallel branches (1×1, 3×3, 3×3 max pooling then 1×1, depthwise then 1×1) joined
     * by a Concat, then a 1×1 head.
     */
    static OnnxModelBuilder branchy(Random r, String name) {
        int c = 16;
        int hw = 24 + 8 * r.nextInt(3);
        OnnxModelBuilder b = new OnnxModelBuilder(name, 17).input("x", ElementType.F32, 1, 3, hw, hw);
        b.initializer("w0", RandomData.tensor(r, c, 3, 3, 3));
        b.node("Conv", "stem").inputs("x", "w0").outputs("s").attr("pads", 1, 1, 1, 1);
        String last = "s";
        int blocks = 2 + r.nextInt(2);
        for (int k = 0; k < blocks; k++) {
            int branches = 2 + r.nextInt(3);
            String[] outs = new String[branches];
            int total = 0;
            for (int j = 0; j < branches; j++) {
                String p = "b" + k + "_" + j;
                int oc = 8 + 8 * r.nextInt(3);
                total += oc;
                int kind = r.nextInt(4);
                String from = last;
                if (kind == 2) {
                    b.node("MaxPool", p + "_mp").inputs(last).outputs(p + "_m").attr("kernel_shape", 3, 3)
                            .attr("pads", 1, 1, 1, 1);
                    from = p + "_m";
                } else if (kind == 3) {
                    b.initializer(p + "_wd", RandomData.tensor(r, c, 1, 3, 3));
                    b.node("Conv", p + "_dw").inputs(last, p + "_wd").outputs(p + "_d").attr("group", c)
                            .attr("pads", 1, 1, 1, 1);
                    from = p + "_d";
                }
                int kernel = kind == 1 ? 3 : 1;
                b.initializer(p + "_w", RandomData.tensor(r, oc, c, kernel, kernel));
                b.node("Conv", p + "_conv").inputs(from, p + "_w").outputs(p + "_c")
                        .attr("pads", kernel / 2, kernel / 2, kernel / 2, kernel / 2);
                b.node("Relu", p + "_relu").inputs(p + "_c").outputs(p);
                outs[j] = p;
            }
            b.node("Concat", "cat" + k).inputs(outs).outputs("cat" + k).attr("axis", 1L);
            last = "cat" + k;
            c = total;
        }
        b.initializer("wh", RandomData.tensor(r, 10, c, 1, 1));
        b.node("Conv", "head").inputs(last, "wh").outputs("y");
        b.output("y", ElementType.F32);
        return b;
    }
}
