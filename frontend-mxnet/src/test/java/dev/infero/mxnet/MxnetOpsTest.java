package dev.infero.mxnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.mxnet.MxnetTestFiles.Sym;
import dev.infero.testing.ReferenceRunner;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every op translation on small symbols and params written here (the params through MXNet's binary format), run with
 * the ops' reference evaluation and checked against hand-computed values and MXNet's documented semantics.
 */
class MxnetOpsTest {
    static String[] in(String... names) {
        return names;
    }

    static Graph graph(Sym sym, Map<String, Tensor> params) {
        Map<String, Tensor> stored = MxnetParams.read(ByteBuffer.wrap(MxnetTestFiles.params(params, 2)), "test-0000.params");
        return MxnetImporter.importModel(sym.build(), stored, "test-symbol.json", "test-0000.params", "test");
    }

    static float[] run(Sym sym, Map<String, Tensor> params, Tensor data, String output) {
        Graph g = graph(sym.shape("data", data.shape()), params);
        Tensor t = ReferenceRunner.run(g, Map.of("data", data)).get(output);
        return t.toFloatArray();
    }

    static Map<String, Tensor> p(Object... kv) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Tensor) kv[i + 1]);
        }
        return m;
    }

    static float[] iota(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = i;
        }
        return f;
    }

    static void close(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    @Test
    void groupedConvolutionWithBiasAndPaddedStridedConvolution() {
        Sym s = new Sym().var("data").var("c_weight").var("c_bias")
                .op("Convolution", "c", in("data", "c_weight", "c_bias"), "kernel", "(1, 1)", "num_filter", "2", "num_group", "2")
                .head("c");
        float[] y = run(s, p("arg:c_weight", Tensor.of(new float[] {2, 3}, 2, 1, 1, 1), "arg:c_bias", Tensor.of(new float[] {1, -1}, 2)),
                Tensor.of(new float[] {1, 2, 3, 4}, 1, 2, 1, 2), "c_output");
        assertArrayEquals(new float[] {3, 5, 8, 11}, y);
        float[] ones = new float[9];
        Arrays.fill(ones, 1);
        Sym t = new Sym().var("data").var("w")
                .op("Convolution", "c", in("data", "w"), "kernel", "(3, 3)", "pad", "(1, 1)", "stride", "(2, 2)",
                        "num_filter", "1", "no_bias", "True").head("c");
        // 3×3 sums centred on (0,0), (0,2), (2,0), (2,2) of iota(16) in a 4×4 plane, zero-padded.
        float[] z = run(t, p("arg:w", Tensor.of(ones, 1, 1, 3, 3)), Tensor.of(iota(16), 1, 1, 4, 4), "c_output");
        assertArrayEquals(new float[] {0 + 1 + 4 + 5, 1 + 2 + 3 + 5 + 6 + 7, 4 + 5 + 8 + 9 + 12 + 13,
                5 + 6 + 7 + 9 + 10 + 11 + 13 + 14 + 15}, z);
    }

    @Test
    void batchNormFixGammaIgnoresTheStoredGammaAndEpsDefaultsTo1e3() {
        Map<String, Tensor> params = p("arg:bn_gamma", Tensor.of(new float[] {3}, 1), "arg:bn_beta", Tensor.of(new float[] {1}, 1),
                "aux:bn_moving_mean", Tensor.of(new float[] {2}, 1), "aux:bn_moving_var", Tensor.of(new float[] {4}, 1));
        Sym fixed = new Sym().var("data").var("bn_gamma").var("bn_beta").var("bn_moving_mean").var("bn_moving_var")
                .op("BatchNorm", "bn", in("data", "bn_gamma", "bn_beta", "bn_moving_mean", "bn_moving_var")).head("bn");
        float sd = (float) Math.sqrt(4 + 1e-3);
        close(new float[] {(6 - 2) / sd + 1}, run(fixed, params, Tensor.of(new float[] {6}, 1, 1, 1, 1), "bn_output"));
        Sym learned = new Sym().var("data").var("bn_gamma").var("bn_beta").var("bn_moving_mean").var("bn_moving_var")
                .op("BatchNorm", "bn", in("data", "bn_gamma", "bn_beta", "bn_moving_mean", "bn_moving_var"),
                        "fix_gamma", "False", "eps", "2e-05").head("bn");
        close(new float[] {(float) ((6 - 2) / Math.sqrt(4 + 2e-5) * 3 + 1)},
                run(learned, params, Tensor.of(new float[] {6}, 1, 1, 1, 1), "bn_output"));
    }

    @Test
    void activationsAndLeakyReluKinds() {
        float[] x = {-2, -0.5f, 0, 1.5f};
        String[][] cases = {{"Activation", "act_type", "relu"}, {"Activation", "act_type", "sigmoid"},
            {"Activation", "act_type", "tanh"}, {"Activation", "act_type", "softrelu"},
            {"LeakyReLU", "act_type", "leaky"}, {"LeakyReLU", "act_type", "elu"}};
        for (String[] c : cases) {
            Sym s = new Sym().var("data").op(c[0], "a", in("data"), c[1], c[2], "slope", "0.1").head("a");
            float[] y = run(s, p(), Tensor.of(x, 1, 4), "a_output");
            float[] e = new float[4];
            for (int i = 0; i < 4; i++) {
                double v = x[i];
                e[i] = (float) switch (c[2]) {
                    case "relu" -> Math.max(v, 0);
                    case "sigmoid" -> 1 / (1 + Math.exp(-v));
                    case "tanh" -> Math.tanh(v);
                    case "softrelu" -> Math.log1p(Math.exp(v));
                    case "leaky" -> v > 0 ? v : 0.1 * v;
                    default -> v > 0 ? v : 0.1 * (Math.exp(v) - 1);
                };
            }
            close(e, y);
        }
        Sym prelu = new Sym().var("data").var("g").op("LeakyReLU", "p", in("data", "g"), "act_type", "prelu").head("p");
        close(new float[] {-1, 3, -0.5f, 5}, run(prelu, p("arg:g", Tensor.of(new float[] {0.5f, 0.25f}, 2)),
                Tensor.of(new float[] {-2, 3, -2, 5}, 1, 2, 1, 2), "p_output"));
    }

    @Test
    void poolingConventionsAndPadCounting() {
        Sym valid = new Sym().var("data").op("Pooling", "p", in("data"), "kernel", "(3, 3)", "stride", "(2, 2)",
                "pool_type", "max").head("p");
        assertArrayEquals(new float[] {10}, run(valid, p(), Tensor.of(iota(16), 1, 1, 4, 4), "p_output"), "valid: floor");
        Sym full = new Sym().var("data").op("Pooling", "p", in("data"), "kernel", "(3, 3)", "stride", "(2, 2)",
                "pool_type", "max", "pooling_convention", "full").head("p");
        assertArrayEquals(new float[] {10, 11, 14, 15}, run(full, p(), Tensor.of(iota(16), 1, 1, 4, 4), "p_output"), "full: ceil");
        Sym include = new Sym().var("data").op("Pooling", "p", in("data"), "kernel", "(2, 2)", "pad", "(1, 1)",
                "stride", "(2, 2)", "pool_type", "avg").head("p");
        float[] inc = run(include, p(), Tensor.of(new float[] {4, 4, 4, 4}, 1, 1, 2, 2), "p_output");
        close(new float[] {1, 1, 1, 1}, inc);
        Sym exclude = new Sym().var("data").op("Pooling", "p", in("data"), "kernel", "(2, 2)", "pad", "(1, 1)",
                "stride", "(2, 2)", "pool_type", "avg", "count_include_pad", "False").head("p");
        close(new float[] {4, 4, 4, 4}, run(exclude, p(), Tensor.of(new float[] {4, 4, 4, 4}, 1, 1, 2, 2), "p_output"));
        Sym global = new Sym().var("data").op("Pooling", "p", in("data"), "kernel", "(1, 1)", "global_pool", "True",
                "pool_type", "avg").head("p");
        close(new float[] {1.5f, 5.5f}, run(global, p(), Tensor.of(iota(8), 1, 2, 2, 2), "p_output"));
    }

    @Test
    void fullyConnectedFlattensByDefaultAndFlattenConcatAdd() {
        Sym fc = new Sym().var("data").var("w").var("b").op("FullyConnected", "fc", in("data", "w", "b"), "num_hidden", "2")
                .head("fc");
        float[] y = run(fc, p("arg:w", Tensor.of(new float[] {1, 1, 1, 1, 0, 0, 0, 1}, 2, 4), "arg:b", Tensor.of(new float[] {0, 10}, 2)),
                Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2), "fc_output");
        assertArrayEquals(new float[] {10, 14}, y);
        Sym last = new Sym().var("data").var("w").op("FullyConnected", "fc", in("data", "w"), "num_hidden", "1",
                "no_bias", "True", "flatten", "False").head("fc");
        Graph g = graph(last.shape("data", 1, 3, 2), p("arg:w", Tensor.of(new float[] {1, 2}, 1, 2)));
        Tensor t = ReferenceRunner.run(g, Map.of("data", Tensor.of(new float[] {1, 1, 2, 2, 3, 3}, 1, 3, 2))).get("fc_output");
        assertArrayEquals(new int[] {1, 3, 1}, t.shape());
        assertArrayEquals(new float[] {3, 6, 9}, t.toFloatArray());
        Sym misc = new Sym().var("data").op("Flatten", "f", in("data")).op("elemwise_add", "sum", in("f", "f"))
                .op("_rminus_scalar", "r", in("sum"), "scalar", "10").op("_div_scalar", "d", in("r"), "scalar", "2")
                .op("Concat", "cat", in("d", "f"), "dim", "1", "num_args", "2").op("broadcast_mul", "m", in("cat", "cat"))
                .head("m");
        assertArrayEquals(new float[] {16, 9, 1, 4}, run(misc, p(), Tensor.of(new float[] {1, 2}, 1, 2, 1), "m_output"));
    }

    @Test
    void softmaxOutputIgnoresItsLabelAndSoftmaxHasAnAxis() {
        Sym s = new Sym().var("data").var("softmax_label").op("SoftmaxOutput", "softmax", in("data", "softmax_label")).head("softmax");
        Graph g = graph(s.shape("data", 1, 2, 1, 2), p());
        assertEquals(1, g.parameters().size(), "the label is not an input");
        float[] y = ReferenceRunner.run(g, Map.of("data", Tensor.of(new float[] {0, 0, 1, 1}, 1, 2, 1, 2))).get("softmax_output")
                .toFloatArray();
        // Softmax over all four values of the image (preserve_shape false, multi_output false).
        float a = (float) (1 / (2 + 2 * Math.E));
        close(new float[] {a, a, (float) Math.E * a, (float) Math.E * a}, y);
        Sym ax = new Sym().var("data").op("softmax", "sm", in("data"), "axis", "1").head("sm");
        close(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, run(ax, p(), Tensor.of(new float[] {1, 2, 1, 2}, 1, 2, 2), "sm_output"));
    }

    @Test
    void reshapeSpecialCodes() {
        long[][][] cases = {
            {{2, 3, 4}, {4, 0, 2}, {4, 3, 2}},
            {{2, 3, 4}, {2, 0, 0}, {2, 3, 4}},
            {{2, 3, 4}, {6, 1, -1}, {6, 1, 4}},
            {{2, 3, 4}, {2, -2}, {2, 3, 4}},
            {{2, 3, 4}, {-2, 1, 1}, {2, 3, 4, 1, 1}},
            {{2, 3, 4}, {-3, 4}, {6, 4}},
            {{2, 3, 4, 5}, {-3, -3}, {6, 20}},
            {{2, 3, 4}, {0, -3}, {2, 12}},
            {{2, 3, 4}, {-4, 1, 2, -2}, {1, 2, 3, 4}},
            {{2, 3, 4}, {2, -4, -1, 3, -2}, {2, 1, 3, 4}},
        };
        for (long[][] c : cases) {
            int[] inShape = Arrays.stream(c[0]).mapToInt(v -> (int) v).toArray();
            int size = Arrays.stream(inShape).reduce(1, (a, b) -> a * b);
            Sym s = new Sym().var("data").op("Reshape", "r", in("data"), "shape", Arrays.toString(c[1]).replace('[', '(')
                    .replace(']', ')')).head("r");
            Graph g = graph(s.shape("data", inShape), p());
            Tensor t = ReferenceRunner.run(g, Map.of("data", Tensor.of(iota(size), inShape))).get("r_output");
            assertArrayEquals(Arrays.stream(c[2]).mapToInt(v -> (int) v).toArray(), t.shape(), Arrays.toString(c[1]));
        }
        // reverse: (10, 5, 4) with (-1, 0) → (50, 4), matched from the right.
        Sym rev = new Sym().var("data").op("Reshape", "r", in("data"), "shape", "(-1, 0)", "reverse", "True").head("r");
        Tensor t = ReferenceRunner.run(graph(rev.shape("data", 10, 5, 4), p()), Map.of("data", Tensor.of(iota(200), 10, 5, 4))).get("r_output");
        assertArrayEquals(new int[] {50, 4}, t.shape());
    }

    @Test
    void deconvolutionClipAddNAndSelu() {
        // Stride-2 transposed convolution with a 2×2 kernel of ones: each input fills its own 2×2 block.
        Sym d = new Sym().var("data").var("w").op("Deconvolution", "d", in("data", "w"), "kernel", "(2, 2)", "stride", "(2, 2)",
                "num_filter", "1", "no_bias", "True").head("d");
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, run(d,
                p("arg:w", Tensor.of(new float[] {1, 1, 1, 1}, 1, 1, 2, 2)), Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2),
                "d_output"));
        Sym c = new Sym().var("data").op("clip", "c", in("data"), "a_min", "-1", "a_max", "2")
                .op("add_n", "s", in("c", "data", "c")).op("LeakyReLU", "selu", in("s"), "act_type", "selu").head("selu");
        float[] x = {-3, 0.5f, 5};
        float[] y = run(c, p(), Tensor.of(x, 1, 3), "selu_output");
        for (int i = 0; i < 3; i++) {
            double s = 2 * Math.max(-1, Math.min(2, x[i])) + x[i];
            double e = 1.0507009873554805 * (s > 0 ? s : 1.6732632423543772 * (Math.exp(s) - 1));
            assertEquals(e, y[i], 1e-4);
        }
    }

    @Test
    void transposeAndL2Normalization() {
        Sym s = new Sym().var("data").op("transpose", "t", in("data"), "axes", "(1, 0)").op("L2Normalization", "n",
                in("t"), "mode", "instance", "eps", "0").head("n");
        float[] y = run(s, p(), Tensor.of(new float[] {3, 0, 4, 0}, 2, 2), "n_output");
        // transpose [[3,0],[4,0]] → [[3,4],[0,0]]; row 0 / 5, row 1 stays 0 (0/0 guarded by NaN check below).
        assertEquals(0.6f, y[0], 1e-6);
        assertEquals(0.8f, y[1], 1e-6);
        Sym ch = new Sym().var("data").op("L2Normalization", "n", in("data"), "mode", "channel").head("n");
        close(new float[] {0.6f, 1, 0.8f, 0}, run(ch, p(), Tensor.of(new float[] {3, 2, 4, 0}, 1, 2, 1, 2), "n_output"));
    }

    @Test
    void aDataInputIsShapedForItsFirstConvolution() {
        Sym s = new Sym().var("data").op("_minus_scalar", "m", in("data"), "scalar", "127.5").var("w")
                .op("Convolution", "c", in("m", "w"), "kernel", "(1, 1)", "num_filter", "4", "no_bias", "True").head("c");
        Graph g = graph(s, p("arg:w", Tensor.of(new float[12], 4, 3, 1, 1)));
        assertEquals("[?,3,?,?]", g.parameters().get(0).output(0).shape().toString().replace(" ", "").replace("-1", "?"));
        assertFalse(g.parameters().get(0).output(0).shape().isStatic());
        Sym mlp = new Sym().var("data").var("w").op("FullyConnected", "fc", in("data", "w"), "num_hidden", "2", "no_bias", "True")
                .var("label").op("SoftmaxOutput", "softmax", in("fc", "label")).head("softmax");
        Graph m = graph(mlp, p("arg:w", Tensor.of(new float[] {1, 0, 0, 0, 0, 1}, 2, 3)));
        assertEquals("[?,3]", m.parameters().get(0).output(0).shape().toString().replace(" ", "").replace("-1", "?"));
        m.reshape(m.parameters().get(0), dev.infero.core.types.PartialShape.of(1, 3));
        float[] y = ReferenceRunner.run(m, Map.of("data", Tensor.of(new float[] {0, 5, 1}, 1, 3))).get("softmax_output").toFloatArray();
        close(new float[] {(float) (1 / (1 + Math.E)), (float) (Math.E / (1 + Math.E))}, y);
    }
}
