package dev.infero.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.tflite.schema.ActivationFunctionType;
import dev.infero.tflite.schema.AddOptions;
import dev.infero.tflite.schema.BuiltinOptions;
import dev.infero.tflite.schema.ConcatenationOptions;
import dev.infero.tflite.schema.Conv2DOptions;
import dev.infero.tflite.schema.DepthToSpaceOptions;
import dev.infero.tflite.schema.DepthwiseConv2DOptions;
import dev.infero.tflite.schema.FullyConnectedOptions;
import dev.infero.tflite.schema.GatherOptions;
import dev.infero.tflite.schema.LeakyReluOptions;
import dev.infero.tflite.schema.MirrorPadMode;
import dev.infero.tflite.schema.MirrorPadOptions;
import dev.infero.tflite.schema.MulOptions;
import dev.infero.tflite.schema.PackOptions;
import dev.infero.tflite.schema.Padding;
import dev.infero.tflite.schema.Pool2DOptions;
import dev.infero.tflite.schema.ReducerOptions;
import dev.infero.tflite.schema.ResizeBilinearOptions;
import dev.infero.tflite.schema.ResizeNearestNeighborOptions;
import dev.infero.tflite.schema.SoftmaxOptions;
import dev.infero.tflite.schema.SpaceToDepthOptions;
import dev.infero.tflite.schema.SplitOptions;
import dev.infero.tflite.schema.SqueezeOptions;
import dev.infero.tflite.schema.StridedSliceOptions;
import dev.infero.tflite.schema.TensorType;
import dev.infero.tflite.schema.TransposeConvOptions;
import dev.infero.tflite.schema.UnpackOptions;
import dev.infero.testing.ReferenceRunner;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every operator translation on small models written by the test, against hand-computed values or a direct NHWC
 * implementation of TFLite's reference semantics written here (independent of the frontend's NCHW mapping).
 */
class TfliteOpsTest {
    private static final byte F32 = TensorType.FLOAT32;
    private static final Random RANDOM = new Random(7);

    static float[] random(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) RANDOM.nextGaussian();
        }
        return v;
    }

    static float[] iota(int n, float start) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i;
        }
        return v;
    }

    static List<Tensor> run(TfliteTestModel m, Tensor... inputs) {
        return ReferenceRunner.run(m.graph(), inputs);
    }

    static void assertClose(float[] expected, float[] actual, float tolerance) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, "element " + i);
        }
    }

    static long count(Graph g, String type) {
        return g.nodes().stream().filter(n -> n.type().equals(type)).count();
    }

    // ---- NHWC reference implementations (TFLite's reference kernels, written directly) ----

    /** TFLite's SAME padding before: total = max((out − 1)·s + (k − 1)·d + 1 − in, 0), half (rounded down) before. */
    static int padBefore(int in, int k, int s, int d, boolean same) {
        if (!same) {
            return 0;
        }
        int out = (in + s - 1) / s;
        int total = Math.max((out - 1) * s + (k - 1) * d + 1 - in, 0);
        return total / 2;
    }

    static int outSize(int in, int k, int s, int d, boolean same) {
        return same ? (in + s - 1) / s : (in - (k - 1) * d - 1) / s + 1;
    }

    /** CONV_2D: x [1,H,W,C], w [O,kh,kw,C], bias [O]. */
    static float[] conv(float[] x, int h, int w, int c, float[] f, int o, int kh, int kw, float[] bias, int s, int d,
                        boolean same) {
        int oh = outSize(h, kh, s, d, same);
        int ow = outSize(w, kw, s, d, same);
        int pt = padBefore(h, kh, s, d, same);
        int pl = padBefore(w, kw, s, d, same);
        float[] y = new float[oh * ow * o];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                for (int oc = 0; oc < o; oc++) {
                    double sum = bias[oc];
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int iy = oy * s - pt + ky * d;
                            int ix = ox * s - pl + kx * d;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                continue;
                            }
                            for (int ic = 0; ic < c; ic++) {
                                sum += x[(iy * w + ix) * c + ic] * f[((oc * kh + ky) * kw + kx) * c + ic];
                            }
                        }
                    }
                    y[(oy * ow + ox) * o + oc] = (float) sum;
                }
            }
        }
        return y;
    }

    /** DEPTHWISE_CONV_2D: w [1,kh,kw,C·M], output channel c·M + m. */
    static float[] depthwise(float[] x, int h, int w, int c, int m, float[] f, int kh, int kw, float[] bias, int s,
                             boolean same) {
        int oh = outSize(h, kh, s, 1, same);
        int ow = outSize(w, kw, s, 1, same);
        int pt = padBefore(h, kh, s, 1, same);
        int pl = padBefore(w, kw, s, 1, same);
        int o = c * m;
        float[] y = new float[oh * ow * o];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                for (int ic = 0; ic < c; ic++) {
                    for (int mm = 0; mm < m; mm++) {
                        int oc = ic * m + mm;
                        double sum = bias[oc];
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                int iy = oy * s - pt + ky;
                                int ix = ox * s - pl + kx;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    sum += x[(iy * w + ix) * c + ic] * f[(ky * kw + kx) * o + oc];
                                }
                            }
                        }
                        y[(oy * ow + ox) * o + oc] = (float) sum;
                    }
                }
            }
        }
        return y;
    }

    // ---- convolutions ----

    @Test
    void conv2dSamePaddingPutsTheOddElementAtTheEnd() {
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, 4, 4, 1);
        int w = m.floats("w", new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, 1, 3, 3, 1);
        int b = m.floats("b", new float[] {0}, 1);
        int y = m.output(m.tensor("y", F32, 1, 2, 2, 1));
        m.op(TfliteOps.CONV_2D, new int[] {x, w, b}, new int[] {y}, BuiltinOptions.Conv2DOptions,
                fb -> Conv2DOptions.createConv2DOptions(fb, Padding.SAME, 2, 2, ActivationFunctionType.NONE, 1, 1, (byte) 0));
        // Rows/columns 0-2 then 2-4 (4 being padding): 1+2+3+5+6+7+9+10+11 = 54, ...
        assertArrayEquals(new float[] {54, 45, 72, 54}, run(m, Tensor.of(iota(16, 1), 1, 4, 4, 1)).get(0).floats());
    }

    @Test
    void conv2dWithBiasActivationDilationAndStrides() {
        for (byte act : new byte[] {ActivationFunctionType.NONE, ActivationFunctionType.RELU,
                ActivationFunctionType.RELU6, ActivationFunctionType.RELU_N1_TO_1, ActivationFunctionType.TANH}) {
            for (boolean same : new boolean[] {true, false}) {
                int h = 7, w = 6, c = 3, o = 4, k = 3, s = same ? 2 : 1, d = same ? 1 : 2;
                float[] xv = random(h * w * c);
                float[] wv = random(o * k * k * c);
                float[] bv = random(o);
                int oh = outSize(h, k, s, d, same);
                int ow = outSize(w, k, s, d, same);
                TfliteTestModel m = new TfliteTestModel();
                int x = m.input("x", 1, h, w, c);
                int wt = m.floats("w", wv, o, k, k, c);
                int b = m.floats("b", bv, o);
                int y = m.output(m.tensor("y", F32, 1, oh, ow, o));
                int sf = s;
                int df = d;
                m.op(TfliteOps.CONV_2D, new int[] {x, wt, b}, new int[] {y}, BuiltinOptions.Conv2DOptions,
                        fb -> Conv2DOptions.createConv2DOptions(fb, same ? Padding.SAME : Padding.VALID, sf, sf, act,
                                df, df, (byte) 0));
                float[] expected = conv(xv, h, w, c, wv, o, k, k, bv, s, d, same);
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = switch (act) {
                        case ActivationFunctionType.RELU -> Math.max(0, expected[i]);
                        case ActivationFunctionType.RELU6 -> Math.min(6, Math.max(0, expected[i]));
                        case ActivationFunctionType.RELU_N1_TO_1 -> Math.min(1, Math.max(-1, expected[i]));
                        case ActivationFunctionType.TANH -> (float) Math.tanh(expected[i]);
                        default -> expected[i];
                    };
                }
                Tensor out = run(m, Tensor.of(xv, 1, h, w, c)).get(0);
                assertArrayEquals(new int[] {1, oh, ow, o}, out.shape(), "NHWC output");
                assertClose(expected, out.floats(), 1e-4f);
            }
        }
    }

    @Test
    void groupedConv2d() {
        int h = 4, w = 4, c = 4, o = 6, groups = 2;
        float[] xv = random(h * w * c);
        float[] wv = random(o * 1 * 1 * (c / groups));
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, h, w, c);
        int wt = m.floats("w", wv, o, 1, 1, c / groups);
        int y = m.output(m.tensor("y", F32, 1, h, w, o));
        m.op(TfliteOps.CONV_2D, new int[] {x, wt, -1}, new int[] {y}, BuiltinOptions.Conv2DOptions,
                fb -> Conv2DOptions.createConv2DOptions(fb, Padding.VALID, 1, 1, ActivationFunctionType.NONE, 1, 1, (byte) 0));
        float[] expected = new float[h * w * o];
        for (int p = 0; p < h * w; p++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / (o / groups);
                for (int i = 0; i < c / groups; i++) {
                    expected[p * o + oc] += xv[p * c + g * (c / groups) + i] * wv[oc * (c / groups) + i];
                }
            }
        }
        assertClose(expected, run(m, Tensor.of(xv, 1, h, w, c)).get(0).floats(), 1e-4f);
    }

    @Test
    void depthwiseConv2dWithDepthMultiplier() {
        int h = 5, w = 5, c = 3, mult = 2, k = 3;
        float[] xv = random(h * w * c);
        float[] wv = random(k * k * c * mult);
        float[] bv = random(c * mult);
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, h, w, c);
        int wt = m.floats("w", wv, 1, k, k, c * mult);
        int b = m.floats("b", bv, c * mult);
        int y = m.output(m.tensor("y", F32, 1, 3, 3, c * mult));
        m.op(TfliteOps.DEPTHWISE_CONV_2D, new int[] {x, wt, b}, new int[] {y}, BuiltinOptions.DepthwiseConv2DOptions,
                fb -> DepthwiseConv2DOptions.createDepthwiseConv2DOptions(fb, Padding.SAME, 2, 2, mult,
                        ActivationFunctionType.NONE, 1, 1));
        Graph g = m.graph();
        assertEquals(1, count(g, "GroupConvolution"));
        assertClose(depthwise(xv, h, w, c, mult, wv, k, k, bv, 2, true),
                ReferenceRunner.run(g, Tensor.of(xv, 1, h, w, c)).get(0).floats(), 1e-4f);
    }

    @Test
    void transposeConvPadsFromTheOutputSize() {
        int h = 3, w = 3, c = 2, o = 2, k = 3, s = 2, oh = 6, ow = 6;
        float[] xv = random(h * w * c);
        float[] wv = random(o * k * k * c);
        float[] bv = random(o);
        TfliteTestModel m = new TfliteTestModel();
        int shape = m.ints("output_shape", 1, oh, ow, o);
        int wt = m.floats("w", wv, o, k, k, c);
        int x = m.input("x", 1, h, w, c);
        int b = m.floats("b", bv, o);
        int y = m.output(m.tensor("y", F32, 1, oh, ow, o));
        m.op(TfliteOps.TRANSPOSE_CONV, new int[] {shape, wt, x, b}, new int[] {y}, BuiltinOptions.TransposeConvOptions,
                fb -> TransposeConvOptions.createTransposeConvOptions(fb, Padding.SAME, s, s, ActivationFunctionType.NONE,
                        (byte) 0));
        // TFLite: total = max((in − 1)·s + k − out, 0) = 1, pad_top = 0; out[iy·s − pad + ky] += x·w.
        int pad = Math.max((h - 1) * s + k - oh, 0) / 2;
        float[] expected = new float[oh * ow * o];
        for (int p = 0; p < oh * ow; p++) {
            for (int oc = 0; oc < o; oc++) {
                expected[p * o + oc] = bv[oc];
            }
        }
        for (int iy = 0; iy < h; iy++) {
            for (int ix = 0; ix < w; ix++) {
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        int oy = iy * s - pad + ky;
                        int ox = ix * s - pad + kx;
                        if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) {
                            continue;
                        }
                        for (int oc = 0; oc < o; oc++) {
                            for (int ic = 0; ic < c; ic++) {
                                expected[(oy * ow + ox) * o + oc] += xv[(iy * w + ix) * c + ic]
                                        * wv[((oc * k + ky) * k + kx) * c + ic];
                            }
                        }
                    }
                }
            }
        }
        assertClose(expected, run(m, Tensor.of(xv, 1, h, w, c)).get(0).floats(), 1e-4f);
    }

    @Test
    void fullyConnectedFlattensOrKeepsDimensions() {
        float[] wv = random(4 * 6);
        float[] bv = random(4);
        float[] xv = random(2 * 6);
        float[] expected = new float[2 * 4];
        for (int r = 0; r < 2; r++) {
            for (int o = 0; o < 4; o++) {
                double sum = bv[o];
                for (int i = 0; i < 6; i++) {
                    sum += xv[r * 6 + i] * wv[o * 6 + i];
                }
                expected[r * 4 + o] = (float) sum;
            }
        }
        for (boolean keep : new boolean[] {false, true}) {
            TfliteTestModel m = new TfliteTestModel();
            int x = m.input("x", 1, 2, 6);
            int wt = m.floats("w", wv, 4, 6);
            int b = m.floats("b", bv, 4);
            int y = m.output(keep ? m.tensor("y", F32, 1, 2, 4) : m.tensor("y", F32, 2, 4));
            m.op(TfliteOps.FULLY_CONNECTED, new int[] {x, wt, b}, new int[] {y}, BuiltinOptions.FullyConnectedOptions,
                    fb -> FullyConnectedOptions.createFullyConnectedOptions(fb, ActivationFunctionType.NONE, (byte) 0,
                            keep, false, (byte) 0));
            Tensor out = run(m, Tensor.of(xv, 1, 2, 6)).get(0);
            assertArrayEquals(keep ? new int[] {1, 2, 4} : new int[] {2, 4}, out.shape());
            assertClose(expected, out.floats(), 1e-4f);
        }
    }

    @Test
    void fp16WeightsAreDequantizedToF32Constants() {
        float[] wv = {0.5f, -1.25f, 2f, 0.125f};
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, 1, 1, 2);
        int half = m.halfs("w_f16", wv, 2, 1, 1, 2);
        int w = m.tensor("w", F32, 2, 1, 1, 2);
        int y = m.output(m.tensor("y", F32, 1, 1, 1, 2));
        m.op(TfliteOps.DEQUANTIZE, new int[] {half}, new int[] {w});
        m.op(TfliteOps.CONV_2D, new int[] {x, w, -1}, new int[] {y}, BuiltinOptions.Conv2DOptions,
                fb -> Conv2DOptions.createConv2DOptions(fb, Padding.VALID, 1, 1, (byte) 0, 1, 1, (byte) 0));
        Graph g = m.graph();
        Node conv = g.nodes().stream().filter(n -> n.type().equals("Convolution")).findFirst().orElseThrow();
        assertEquals("Const", conv.input(1).node().type(), "the weights are a folded f32 constant");
        assertEquals(dev.infero.core.types.ElementType.F32, conv.input(1).type());
        assertArrayEquals(new float[] {0.5f * 3 - 1.25f * 4, 2f * 3 + 0.125f * 4},
                ReferenceRunner.run(g, Tensor.of(new float[] {3, 4}, 1, 1, 1, 2)).get(0).floats());
    }

    // ---- pooling ----

    @Test
    void averagePoolExcludesPaddingAndMaxPoolIsValid() {
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, 3, 3, 1);
        int avg = m.output(m.tensor("avg", F32, 1, 3, 3, 1));
        int max = m.output(m.tensor("max", F32, 1, 1, 1, 1));
        m.op(TfliteOps.AVERAGE_POOL_2D, new int[] {x}, new int[] {avg}, BuiltinOptions.Pool2DOptions,
                fb -> Pool2DOptions.createPool2DOptions(fb, Padding.SAME, 1, 1, 3, 3, ActivationFunctionType.NONE));
        m.op(TfliteOps.MAX_POOL_2D, new int[] {x}, new int[] {max}, BuiltinOptions.Pool2DOptions,
                fb -> Pool2DOptions.createPool2DOptions(fb, Padding.VALID, 2, 2, 3, 3, ActivationFunctionType.NONE));
        List<Tensor> out = run(m, Tensor.of(iota(9, 1), 1, 3, 3, 1));
        // Corner: (1+2+4+5)/4 = 3; edge: (1+2+3+4+5+6)/6 = 3.5; centre: 45/9 = 5.
        assertClose(new float[] {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7}, out.get(0).floats(), 1e-6f);
        assertArrayEquals(new float[] {9}, out.get(1).floats());
    }

    // ---- layout-aware element-wise, concatenation, reductions ----

    /** A 1×1 convolution (identity weights): its output is held in NCHW, so what follows runs layout-aware. */
    static int identityConv(TfliteTestModel m, int x, int c, int h, int w) {
        float[] eye = new float[c * c];
        for (int i = 0; i < c; i++) {
            eye[i * c + i] = 1;
        }
        int wt = m.floats("eye" + x, eye, c, 1, 1, c);
        int y = m.tensor("conv" + x, F32, 1, h, w, c);
        m.op(TfliteOps.CONV_2D, new int[] {x, wt, -1}, new int[] {y}, BuiltinOptions.Conv2DOptions,
                fb -> Conv2DOptions.createConv2DOptions(fb, Padding.VALID, 1, 1, (byte) 0, 1, 1, (byte) 0));
        return y;
    }

    @Test
    void binaryOpsBroadcastLowerRankOperandsOverNchwData() {
        float[] xv = random(2 * 3 * 4);
        float[] cv = {1, -2, 3, 0.5f};
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, 2, 3, 4);
        int conv = identityConv(m, x, 4, 2, 3);
        int c = m.floats("c", cv, 4);
        int row = m.floats("row", new float[] {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120}, 3, 4);
        int added = m.tensor("added", F32, 1, 2, 3, 4);
        int mul = m.tensor("mul", F32, 1, 2, 3, 4);
        int sub = m.output(m.tensor("sub", F32, 1, 2, 3, 4));
        m.op(TfliteOps.ADD, new int[] {conv, c}, new int[] {added}, BuiltinOptions.AddOptions,
                fb -> AddOptions.createAddOptions(fb, ActivationFunctionType.RELU6, true));
        m.op(TfliteOps.MUL, new int[] {added, row}, new int[] {mul}, BuiltinOptions.MulOptions,
                fb -> MulOptions.createMulOptions(fb, ActivationFunctionType.NONE));
        m.op(TfliteOps.SUB, new int[] {mul, x}, new int[] {sub});
        Graph g = m.graph();
        float[] expected = new float[24];
        for (int i = 0; i < 24; i++) {
            float a = Math.min(6, Math.max(0, xv[i] + cv[i % 4]));
            expected[i] = a * (10 * (i % 12 + 1)) - xv[i];
        }
        assertClose(expected, ReferenceRunner.run(g, Tensor.of(xv, 1, 2, 3, 4)).get(0).floats(), 1e-4f);
        // One Transpose into NCHW for the convolution (the SUB reads the input in NCHW too), one back at the output.
        assertTrue(count(g, "Transpose") <= 3, g.opHistogram().toString());
    }

    @Test
    void elementwiseAndActivationOps() {
        float[] xv = {-3, -0.5f, 0, 0.25f, 2, 7};
        float[] yv = {1, 2, -1, 0.5f, 3, -2};
        Object[][] cases = {
                {TfliteOps.MAXIMUM, (java.util.function.DoubleBinaryOperator) Math::max},
                {TfliteOps.MINIMUM, (java.util.function.DoubleBinaryOperator) Math::min},
                {TfliteOps.DIV, (java.util.function.DoubleBinaryOperator) (a, b) -> a / b},
                {TfliteOps.SQUARED_DIFFERENCE, (java.util.function.DoubleBinaryOperator) (a, b) -> (a - b) * (a - b)},
                {TfliteOps.PRELU, (java.util.function.DoubleBinaryOperator) (a, b) -> a < 0 ? a * b : a},
                {TfliteOps.ADD, (java.util.function.DoubleBinaryOperator) Double::sum},
                {TfliteOps.SUB, (java.util.function.DoubleBinaryOperator) (a, b) -> a - b},
                {TfliteOps.MUL, (java.util.function.DoubleBinaryOperator) (a, b) -> a * b},
        };
        for (Object[] c : cases) {
            TfliteTestModel m = new TfliteTestModel();
            int a = m.input("a", 2, 3);
            int b = m.floats("b", yv, 2, 3);
            int out = m.output(m.tensor("out", F32, 2, 3));
            m.op((int) c[0], new int[] {a, b}, new int[] {out});
            float[] expected = new float[6];
            for (int i = 0; i < 6; i++) {
                expected[i] = (float) ((java.util.function.DoubleBinaryOperator) c[1]).applyAsDouble(xv[i], yv[i]);
            }
            assertClose(expected, run(m, Tensor.of(xv, 2, 3)).get(0).floats(), 1e-6f);
        }
        Object[][] unary = {
                {TfliteOps.RELU, (java.util.function.DoubleUnaryOperator) v -> Math.max(0, v)},
                {TfliteOps.RELU6, (java.util.function.DoubleUnaryOperator) v -> Math.min(6, Math.max(0, v))},
                {TfliteOps.RELU_N1_TO_1, (java.util.function.DoubleUnaryOperator) v -> Math.min(1, Math.max(-1, v))},
                {TfliteOps.LOGISTIC, (java.util.function.DoubleUnaryOperator) v -> 1 / (1 + Math.exp(-v))},
                {TfliteOps.TANH, (java.util.function.DoubleUnaryOperator) Math::tanh},
                {TfliteOps.HARD_SWISH, (java.util.function.DoubleUnaryOperator) v -> v * Math.min(6, Math.max(0, v + 3)) / 6},
                {TfliteOps.ABS, (java.util.function.DoubleUnaryOperator) Math::abs},
                {TfliteOps.NEG, (java.util.function.DoubleUnaryOperator) v -> -v},
                {TfliteOps.SQUARE, (java.util.function.DoubleUnaryOperator) v -> v * v},
                {TfliteOps.EXP, (java.util.function.DoubleUnaryOperator) Math::exp},
                {TfliteOps.ELU, (java.util.function.DoubleUnaryOperator) v -> v < 0 ? Math.exp(v) - 1 : v},
                {TfliteOps.FLOOR, (java.util.function.DoubleUnaryOperator) Math::floor},
                {TfliteOps.CEIL, (java.util.function.DoubleUnaryOperator) Math::ceil},
        };
        assertUnaryOps(unary, xv, 1e-4f);
        TfliteTestModel m = new TfliteTestModel();
        int a = m.input("a", 2, 3);
        int out = m.output(m.tensor("out", F32, 2, 3));
        m.op(TfliteOps.LEAKY_RELU, new int[] {a}, new int[] {out}, BuiltinOptions.LeakyReluOptions,
                fb -> LeakyReluOptions.createLeakyReluOptions(fb, 0.2f));
        assertClose(new float[] {-0.6f, -0.1f, 0, 0.25f, 2, 7}, run(m, Tensor.of(xv, 2, 3)).get(0).floats(), 1e-6f);
    }

    @Test
    void positiveOnlyOpsReductionsLogSoftmaxAndTile() {
        float[] xv = {0.5f, 1, 2, 4, 8, 16};
        Object[][] unary = {
                {TfliteOps.SQRT, (java.util.function.DoubleUnaryOperator) Math::sqrt},
                {TfliteOps.RSQRT, (java.util.function.DoubleUnaryOperator) v -> 1 / Math.sqrt(v)},
                {TfliteOps.LOG, (java.util.function.DoubleUnaryOperator) Math::log},
        };
        assertUnaryOps(unary, xv, 1e-5f);
        TfliteTestModel m = new TfliteTestModel();
        int a = m.input("a", 2, 3);
        int pow = m.output(m.tensor("pow", F32, 2, 3));
        m.op(TfliteOps.POW, new int[] {a, m.floats("two", new float[] {2}, 1)}, new int[] {pow});
        int min = m.output(m.tensor("min", F32, 2));
        m.op(TfliteOps.REDUCE_MIN, new int[] {a, m.ints("axis", new int[] {-1})}, new int[] {min},
                BuiltinOptions.ReducerOptions, fb -> ReducerOptions.createReducerOptions(fb, false));
        int prod = m.output(m.tensor("prod", F32, 1, 3));
        m.op(TfliteOps.REDUCE_PROD, new int[] {a, m.ints("axis0", new int[] {0})}, new int[] {prod},
                BuiltinOptions.ReducerOptions, fb -> ReducerOptions.createReducerOptions(fb, true));
        int logSoftmax = m.output(m.tensor("log_softmax", F32, 2, 3));
        m.op(TfliteOps.LOG_SOFTMAX, new int[] {a}, new int[] {logSoftmax});
        int tiled = m.output(m.tensor("tiled", F32, 2, 6));
        m.op(TfliteOps.TILE, new int[] {a, m.ints("multiples", 1, 2)}, new int[] {tiled});
        List<Tensor> out = run(m, Tensor.of(xv, 2, 3));
        assertClose(new float[] {0.25f, 1, 4, 16, 64, 256}, out.get(0).floats(), 1e-5f);
        assertArrayEquals(new float[] {0.5f, 4}, out.get(1).floats());
        assertArrayEquals(new int[] {1, 3}, out.get(2).shape());
        assertArrayEquals(new float[] {2, 8, 32}, out.get(2).floats());
        float[] ls = new float[6];
        for (int r = 0; r < 2; r++) {
            double sum = 0;
            for (int i = 0; i < 3; i++) {
                sum += Math.exp(xv[r * 3 + i]);
            }
            for (int i = 0; i < 3; i++) {
                ls[r * 3 + i] = (float) (xv[r * 3 + i] - Math.log(sum));
            }
        }
        assertClose(ls, out.get(3).floats(), 1e-5f);
        assertArrayEquals(new float[] {0.5f, 1, 2, 0.5f, 1, 2, 4, 8, 16, 4, 8, 16}, out.get(4).floats());
    }

    @Test
    void concatenationMeanAndSoftmaxFollowTheNchwLayout() {
        int h = 2, w = 3, c = 2;
        float[] xv = random(h * w * c);
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, h, w, c);
        int conv = identityConv(m, x, c, h, w);
        int cat = m.tensor("cat", F32, 1, h, w, 2 * c);
        m.op(TfliteOps.CONCATENATION, new int[] {conv, x}, new int[] {cat}, BuiltinOptions.ConcatenationOptions,
                fb -> ConcatenationOptions.createConcatenationOptions(fb, -1, (byte) 0));
        int axes = m.ints("axes", 1, 2);
        int mean = m.output(m.tensor("mean", F32, 1, 2 * c));
        int kept = m.output(m.tensor("kept", F32, 1, 1, 1, 2 * c));
        m.op(TfliteOps.MEAN, new int[] {cat, axes}, new int[] {mean}, BuiltinOptions.ReducerOptions,
                fb -> ReducerOptions.createReducerOptions(fb, false));
        m.op(TfliteOps.REDUCE_MAX, new int[] {cat, axes}, new int[] {kept}, BuiltinOptions.ReducerOptions,
                fb -> ReducerOptions.createReducerOptions(fb, true));
        int soft = m.output(m.tensor("softmax", F32, 1, h, w, 2 * c));
        m.op(TfliteOps.SOFTMAX, new int[] {cat}, new int[] {soft}, BuiltinOptions.SoftmaxOptions,
                fb -> SoftmaxOptions.createSoftmaxOptions(fb, 2f));
        List<Tensor> out = run(m, Tensor.of(xv, 1, h, w, c));
        float[] catv = new float[h * w * 2 * c];
        for (int p = 0; p < h * w; p++) {
            for (int ch = 0; ch < c; ch++) {
                catv[p * 2 * c + ch] = xv[p * c + ch];
                catv[p * 2 * c + c + ch] = xv[p * c + ch];
            }
        }
        float[] meanv = new float[2 * c];
        float[] maxv = new float[2 * c];
        java.util.Arrays.fill(maxv, Float.NEGATIVE_INFINITY);
        float[] softv = new float[catv.length];
        for (int p = 0; p < h * w; p++) {
            double sum = 0;
            for (int ch = 0; ch < 2 * c; ch++) {
                meanv[ch] += catv[p * 2 * c + ch] / (h * w);
                maxv[ch] = Math.max(maxv[ch], catv[p * 2 * c + ch]);
                sum += Math.exp(2 * catv[p * 2 * c + ch]);
            }
            for (int ch = 0; ch < 2 * c; ch++) {
                softv[p * 2 * c + ch] = (float) (Math.exp(2 * catv[p * 2 * c + ch]) / sum);
            }
        }
        assertClose(meanv, out.get(0).floats(), 1e-5f);
        assertArrayEquals(new int[] {1, 1, 1, 2 * c}, out.get(1).shape());
        assertClose(maxv, out.get(1).floats(), 0);
        assertClose(softv, out.get(2).floats(), 1e-5f);
    }

    @Test
    void sumAndReshapeReadTfliteLayout() {
        float[] xv = random(2 * 2 * 3);
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, 2, 2, 3);
        int conv = identityConv(m, x, 3, 2, 2);
        int flat = m.output(m.tensor("flat", F32, 1, 12));
        m.op(TfliteOps.RESHAPE, new int[] {conv, m.ints("shape", 1, 12)}, new int[] {flat});
        int sum = m.output(m.tensor("sum", F32, 1, 2, 2));
        m.op(TfliteOps.SUM, new int[] {conv, m.ints("axis", 3)}, new int[] {sum}, BuiltinOptions.ReducerOptions,
                fb -> ReducerOptions.createReducerOptions(fb, false));
        List<Tensor> out = run(m, Tensor.of(xv, 1, 2, 2, 3));
        assertClose(xv, out.get(0).floats(), 1e-6f);
        float[] sums = new float[4];
        for (int i = 0; i < 12; i++) {
            sums[i / 3] += xv[i];
        }
        assertClose(sums, out.get(1).floats(), 1e-5f);
    }

    // ---- movement ----

    @Test
    void padPadV2AndMirrorPad() {
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, 1, 3, 1);
        int conv = identityConv(m, x, 1, 1, 3);
        int paddings = m.ints("paddings", new int[] {0, 0, 0, 0, 2, 1, 0, 0}, 4, 2);
        int pad = m.output(m.tensor("pad", F32, 1, 1, 6, 1));
        int padv2 = m.output(m.tensor("padv2", F32, 1, 1, 6, 1));
        int reflect = m.output(m.tensor("reflect", F32, 1, 1, 6, 1));
        int symmetric = m.output(m.tensor("symmetric", F32, 1, 1, 6, 1));
        m.op(TfliteOps.PAD, new int[] {conv, paddings}, new int[] {pad});
        m.op(TfliteOps.PADV2, new int[] {x, paddings, m.floats("value", new float[] {9}, 1)}, new int[] {padv2});
        m.op(TfliteOps.MIRROR_PAD, new int[] {conv, paddings}, new int[] {reflect}, BuiltinOptions.MirrorPadOptions,
                fb -> MirrorPadOptions.createMirrorPadOptions(fb, MirrorPadMode.REFLECT));
        m.op(TfliteOps.MIRROR_PAD, new int[] {x, paddings}, new int[] {symmetric}, BuiltinOptions.MirrorPadOptions,
                fb -> MirrorPadOptions.createMirrorPadOptions(fb, MirrorPadMode.SYMMETRIC));
        List<Tensor> out = run(m, Tensor.of(new float[] {1, 2, 3}, 1, 1, 3, 1));
        assertArrayEquals(new float[] {0, 0, 1, 2, 3, 0}, out.get(0).floats());
        assertArrayEquals(new float[] {9, 9, 1, 2, 3, 9}, out.get(1).floats());
        assertArrayEquals(new float[] {3, 2, 1, 2, 3, 2}, out.get(2).floats());
        assertArrayEquals(new float[] {2, 1, 1, 2, 3, 3}, out.get(3).floats());
    }

    @Test
    void resizeBilinearAndNearestCoordinateModes() {
        float[][] bilinear = {{0, 0.5f, 1, 1}, {0, 1 / 3f, 2 / 3f, 1}, {0, 0.25f, 0.75f, 1}};
        boolean[][] flags = {{false, false}, {true, false}, {false, true}};
        for (int i = 0; i < 3; i++) {
            boolean align = flags[i][0];
            boolean half = flags[i][1];
            TfliteTestModel m = new TfliteTestModel();
            int x = m.input("x", 1, 1, 2, 1);
            int y = m.output(m.tensor("y", F32, 1, 1, 4, 1));
            m.op(TfliteOps.RESIZE_BILINEAR, new int[] {x, m.ints("size", 1, 4)}, new int[] {y},
                    BuiltinOptions.ResizeBilinearOptions,
                    fb -> ResizeBilinearOptions.createResizeBilinearOptions(fb, align, half));
            assertClose(bilinear[i], run(m, Tensor.of(new float[] {0, 1}, 1, 1, 2, 1)).get(0).floats(), 1e-6f);
        }
        // 3 → 2 columns: asymmetric floor(x·1.5) = 0, 1; half-pixel floor((x + 0.5)·1.5) = 0, 2; align round(x·2) = 0, 2.
        float[][] nearest = {{10, 20}, {10, 30}, {10, 30}};
        for (int i = 0; i < 3; i++) {
            boolean align = flags[i][0];
            boolean half = flags[i][1];
            TfliteTestModel m = new TfliteTestModel();
            int x = m.input("x", 1, 1, 3, 1);
            int y = m.output(m.tensor("y", F32, 1, 1, 2, 1));
            m.op(TfliteOps.RESIZE_NEAREST_NEIGHBOR, new int[] {x, m.ints("size", 1, 2)}, new int[] {y},
                    BuiltinOptions.ResizeNearestNeighborOptions,
                    fb -> ResizeNearestNeighborOptions.createResizeNearestNeighborOptions(fb, align, half));
            assertArrayEquals(nearest[i], run(m, Tensor.of(new float[] {10, 20, 30}, 1, 1, 3, 1)).get(0).floats());
        }
    }

    @Test
    void stridedSliceSliceAndSplitsOnBothLayouts() {
        float[] xv = iota(2 * 2 * 4, 0);
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, 2, 2, 4);
        int conv = identityConv(m, x, 4, 2, 2);
        // x[..., 1::2] (ShuffleNet's channel split): begin_mask on N, H, W.
        int odd = m.output(m.tensor("odd", F32, 1, 2, 2, 2));
        m.op(TfliteOps.STRIDED_SLICE, new int[] {conv, m.ints("b", 0, 0, 0, 1), m.ints("e", 0, 0, 0, 4),
                m.ints("s", 1, 1, 1, 2)}, new int[] {odd}, BuiltinOptions.StridedSliceOptions,
                fb -> StridedSliceOptions.createStridedSliceOptions(fb, 7, 7, 0, 0, 0, false));
        // x[0, 1, :, 2] with shrink on axes 0, 1 and 3.
        int shrunk = m.output(m.tensor("shrunk", F32, 2));
        m.op(TfliteOps.STRIDED_SLICE, new int[] {conv, m.ints("b2", 0, 1, 0, 2), m.ints("e2", 1, 2, 2, 3),
                m.ints("s2", 1, 1, 1, 1)}, new int[] {shrunk}, BuiltinOptions.StridedSliceOptions,
                fb -> StridedSliceOptions.createStridedSliceOptions(fb, 0, 0, 0, 0, 11, false));
        int sliced = m.output(m.tensor("sliced", F32, 1, 1, 2, 3));
        m.op(TfliteOps.SLICE, new int[] {conv, m.ints("begin", 0, 1, 0, 1), m.ints("size", -1, 1, -1, 3)},
                new int[] {sliced});
        int a = m.output(m.tensor("a", F32, 1, 2, 2, 2));
        int b = m.output(m.tensor("b", F32, 1, 2, 2, 2));
        m.op(TfliteOps.SPLIT, new int[] {m.ints("axis", new int[] {3}), conv}, new int[] {a, b},
                BuiltinOptions.SplitOptions, fb -> SplitOptions.createSplitOptions(fb, 2));
        int v1 = m.output(m.tensor("v1", F32, 1, 2, 2, 1));
        int v3 = m.output(m.tensor("v3", F32, 1, 2, 2, 3));
        m.op(TfliteOps.SPLIT_V, new int[] {conv, m.ints("sizes", 1, -1), m.ints("axis_v", new int[] {-1})},
                new int[] {v1, v3});
        List<Tensor> out = run(m, Tensor.of(xv, 1, 2, 2, 4));
        assertArrayEquals(new float[] {1, 3, 5, 7, 9, 11, 13, 15}, out.get(0).floats());
        assertArrayEquals(new float[] {10, 14}, out.get(1).floats());
        assertArrayEquals(new float[] {9, 10, 11, 13, 14, 15}, out.get(2).floats());
        assertArrayEquals(new float[] {0, 1, 4, 5, 8, 9, 12, 13}, out.get(3).floats());
        assertArrayEquals(new float[] {2, 3, 6, 7, 10, 11, 14, 15}, out.get(4).floats());
        assertArrayEquals(new float[] {0, 4, 8, 12}, out.get(5).floats());
        assertArrayEquals(new float[] {1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15}, out.get(6).floats());
    }

    @Test
    void shapeOpsGatherTransposePackUnpackCast() {
        float[] xv = iota(6, 0);
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 2, 3);
        int gathered = m.output(m.tensor("gathered", F32, 2, 2));
        m.op(TfliteOps.GATHER, new int[] {x, m.ints("idx", 2, 0)}, new int[] {gathered}, BuiltinOptions.GatherOptions,
                fb -> GatherOptions.createGatherOptions(fb, 1, 0));
        int transposed = m.output(m.tensor("transposed", F32, 3, 2));
        m.op(TfliteOps.TRANSPOSE, new int[] {x, m.ints("perm", 1, 0)}, new int[] {transposed});
        int expanded = m.tensor("expanded", F32, 2, 1, 3);
        m.op(TfliteOps.EXPAND_DIMS, new int[] {x, m.ints("dim", new int[] {1})}, new int[] {expanded});
        int squeezed = m.output(m.tensor("squeezed", F32, 2, 3));
        m.op(TfliteOps.SQUEEZE, new int[] {expanded}, new int[] {squeezed}, BuiltinOptions.SqueezeOptions,
                fb -> SqueezeOptions.createSqueezeOptions(fb, SqueezeOptions.createSqueezeDimsVector(fb, new int[] {-2})));
        int packed = m.output(m.tensor("packed", F32, 3, 2, 2));
        m.op(TfliteOps.PACK, new int[] {transposed, transposed}, new int[] {packed}, BuiltinOptions.PackOptions,
                fb -> PackOptions.createPackOptions(fb, 2, 2));
        int u0 = m.output(m.tensor("u0", F32, 3));
        int u1 = m.output(m.tensor("u1", F32, 3));
        m.op(TfliteOps.UNPACK, new int[] {x}, new int[] {u0, u1}, BuiltinOptions.UnpackOptions,
                fb -> UnpackOptions.createUnpackOptions(fb, 2, 0));
        int shape = m.output(m.tensor("shape", TensorType.INT32, 2));
        m.op(TfliteOps.SHAPE, new int[] {x}, new int[] {shape});
        int cast = m.output(m.tensor("cast", TensorType.INT32, 2, 3));
        m.op(TfliteOps.CAST, new int[] {x}, new int[] {cast});
        List<Tensor> out = run(m, Tensor.of(xv, 2, 3));
        assertArrayEquals(new float[] {2, 0, 5, 3}, out.get(0).floats());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, out.get(1).floats());
        assertArrayEquals(xv, out.get(2).floats());
        assertArrayEquals(new float[] {0, 0, 3, 3, 1, 1, 4, 4, 2, 2, 5, 5}, out.get(3).floats());
        assertArrayEquals(new float[] {0, 1, 2}, out.get(4).floats());
        assertArrayEquals(new float[] {3, 4, 5}, out.get(5).floats());
        assertArrayEquals(new int[] {2, 3}, out.get(6).ints());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, out.get(7).ints());
    }

    @Test
    void spaceToDepthAndDepthToSpaceAsTensorFlow() {
        // TF: out[b, y, x, (dy·bs + dx)·C + c] = in[b, y·bs + dy, x·bs + dx, c].
        int h = 4, w = 4, c = 2, bs = 2;
        float[] xv = iota(h * w * c, 0);
        float[] expected = new float[xv.length];
        for (int y = 0; y < h / bs; y++) {
            for (int x = 0; x < w / bs; x++) {
                for (int dy = 0; dy < bs; dy++) {
                    for (int dx = 0; dx < bs; dx++) {
                        for (int ch = 0; ch < c; ch++) {
                            int oc = (dy * bs + dx) * c + ch;
                            expected[(y * (w / bs) + x) * c * bs * bs + oc] = xv[((y * bs + dy) * w + x * bs + dx) * c + ch];
                        }
                    }
                }
            }
        }
        TfliteTestModel m = new TfliteTestModel();
        int in = m.input("x", 1, h, w, c);
        int depth = m.output(m.tensor("depth", F32, 1, h / bs, w / bs, c * bs * bs));
        int space = m.output(m.tensor("space", F32, 1, h, w, c));
        m.op(TfliteOps.SPACE_TO_DEPTH, new int[] {in}, new int[] {depth}, BuiltinOptions.SpaceToDepthOptions,
                fb -> SpaceToDepthOptions.createSpaceToDepthOptions(fb, bs));
        m.op(TfliteOps.DEPTH_TO_SPACE, new int[] {depth}, new int[] {space}, BuiltinOptions.DepthToSpaceOptions,
                fb -> DepthToSpaceOptions.createDepthToSpaceOptions(fb, bs));
        List<Tensor> out = run(m, Tensor.of(xv, 1, h, w, c));
        assertArrayEquals(expected, out.get(0).floats());
        assertArrayEquals(xv, out.get(1).floats());
    }

    @Test
    void operatorCodesReadFromEitherField() {
        // Files before schema 3a carry only deprecated_builtin_code; newer ones both (codes > 127 only in builtin_code).
        TfliteTestModel m = new TfliteTestModel();
        m.legacyCodes = true;
        int x = m.input("x", 3);
        int y = m.output(m.tensor("y", F32, 3));
        m.op(TfliteOps.RELU, new int[] {x}, new int[] {y});
        assertArrayEquals(new float[] {0, 0, 2}, run(m, Tensor.of(new float[] {-1, 0, 2}, 3)).get(0).floats());
        assertEquals(TfliteOps.RELU, BuiltinOperators.resolve((byte) TfliteOps.RELU, 0));
        assertEquals(150, BuiltinOperators.resolve((byte) 127, 150));
        assertEquals("GELU", BuiltinOperators.name(150));
    }

    /** Each {@code {op code, DoubleUnaryOperator}} of {@code unary} on {@code xv} as [2, 3], against the operator. */
    private static void assertUnaryOps(Object[][] unary, float[] xv, float tolerance) {
        for (Object[] c : unary) {
            TfliteTestModel m = new TfliteTestModel();
            int a = m.input("a", 2, 3);
            int out = m.output(m.tensor("out", F32, 2, 3));
            m.op((int) c[0], new int[] {a}, new int[] {out});
            float[] expected = new float[6];
            for (int i = 0; i < 6; i++) {
                expected[i] = (float) ((java.util.function.DoubleUnaryOperator) c[1]).applyAsDouble(xv[i]);
            }
            assertClose(expected, run(m, Tensor.of(xv, 2, 3)).get(0).floats(), tolerance);
        }
    }
}
