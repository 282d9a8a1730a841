package dev.infero.tf;

import static dev.infero.tf.GraphDefBuilder.b;
import static dev.infero.tf.GraphDefBuilder.f;
import static dev.infero.tf.GraphDefBuilder.floats;
import static dev.infero.tf.GraphDefBuilder.i;
import static dev.infero.tf.GraphDefBuilder.ints;
import static dev.infero.tf.GraphDefBuilder.output;
import static dev.infero.tf.GraphDefBuilder.s;
import static dev.infero.tf.GraphDefBuilder.type;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.ops.Constant;
import dev.infero.core.tensor.Tensor;
import dev.infero.tf.proto.Tf.DataType;
import dev.infero.tf.proto.Tf.TensorProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every op translation on small GraphDefs with constant inputs (so the graph evaluates at build time through the
 * ops' reference implementations), checked against values computed by hand from TensorFlow's documented semantics.
 */
class TfOpsTest {
    private static final float EPS = 1e-5f;

    private static float[] range(int n) {
        float[] f = new float[n];
        for (int k = 0; k < n; k++) {
            f[k] = k + 1;
        }
        return f;
    }

    private static float[] run(GraphDefBuilder g, String out) {
        return floats(output(g.importGraph(out), 0));
    }

    private static int[] shape(GraphDefBuilder g, String out) {
        return output(g.importGraph(out), 0).shape();
    }

    @Test
    void conv2dSamePadsTheOddPixelAtTheEnd() {
        // 4x4 input 1..16, 3x3 ones, stride 2: TF SAME pads 0 before and 1 after (ONNX SAME_LOWER would differ).
        var g = new GraphDefBuilder().constant("x", range(16), 1, 4, 4, 1).constant("w", new float[] {
                1, 1, 1, 1, 1, 1, 1, 1, 1}, 3, 3, 1, 1)
                .node("y", "Conv2D", List.of("x", "w"), "strides", ints(1, 2, 2, 1), "padding", s("SAME"));
        assertArrayEquals(new float[] {54, 45, 72, 54}, run(g, "y"), EPS);
        assertArrayEquals(new int[] {1, 2, 2, 1}, shape(g, "y"));
    }

    @Test
    void conv2dFilterIsHeightWidthInOut() {
        var g = new GraphDefBuilder().constant("x", new float[] {1, 2}, 1, 1, 1, 2)
                .constant("w", new float[] {1, 2, 3, 4}, 1, 1, 2, 2)
                .node("y", "Conv2D", List.of("x", "w"), "strides", ints(1, 1, 1, 1), "padding", s("VALID"));
        assertArrayEquals(new float[] {7, 10}, run(g, "y"), EPS);
    }

    @Test
    void conv2dExplicitPaddingAndDilationsInNchw() {
        // NCHW 1x1x3x3, 2x2 ones dilated by 2 (a 3x3 window reading its corners), explicit padding 1 at the bottom.
        var g = new GraphDefBuilder().constant("x", range(9), 1, 1, 3, 3).constant("w", new float[] {1, 1, 1, 1},
                        2, 2, 1, 1)
                .node("y", "Conv2D", List.of("x", "w"), "strides", ints(1, 1, 1, 1), "padding", s("EXPLICIT"),
                        "explicit_paddings", ints(0, 0, 0, 0, 0, 1, 0, 0), "dilations", ints(1, 1, 2, 2),
                        "data_format", s("NCHW"));
        // rows {0,2} and {1,3(pad)}; cols {0,2}: 1+3+7+9 = 20, 4+6 = 10
        assertArrayEquals(new float[] {20, 10}, run(g, "y"), EPS);
        assertArrayEquals(new int[] {1, 1, 2, 1}, shape(g, "y"));
    }

    @Test
    void groupedConv2d() {
        // 4 input channels, filter in=2: two groups of two input channels, one output each.
        var g = new GraphDefBuilder().constant("x", new float[] {1, 2, 3, 4}, 1, 1, 1, 4)
                .constant("w", new float[] {1, 10, 1, 10}, 1, 1, 2, 2)
                .node("y", "Conv2D", List.of("x", "w"), "strides", ints(1, 1, 1, 1), "padding", s("VALID"));
        // group 0: x0·1 + x1·1 = 3 (out 0), group 1: x2·10 + x3·10 = 70 (out 1)
        assertArrayEquals(new float[] {3, 70}, run(g, "y"), EPS);
    }

    @Test
    void depthwiseConvOutputsChannelTimesMultiplier() {
        var g = new GraphDefBuilder().constant("x", new float[] {1, 2}, 1, 1, 1, 2)
                .constant("w", new float[] {1, 2, 3, 4}, 1, 1, 2, 2)
                .node("y", "DepthwiseConv2dNative", List.of("x", "w"), "strides", ints(1, 1, 1, 1), "padding",
                        s("VALID"));
        assertArrayEquals(new float[] {1, 2, 6, 8}, run(g, "y"), EPS);
    }

    @Test
    void conv2dBackpropInputScattersTheFilter() {
        // 1x2x2x1 input [1,2,3,4], 2x2 ones filter, stride 2 VALID, output 4x4: each input fills its 2x2 block.
        var g = new GraphDefBuilder().ints("sizes", 1, 4, 4, 1).constant("w", new float[] {1, 1, 1, 1}, 2, 2, 1, 1)
                .constant("x", new float[] {1, 2, 3, 4}, 1, 2, 2, 1)
                .node("y", "Conv2DBackpropInput", List.of("sizes", "w", "x"), "strides", ints(1, 2, 2, 1),
                        "padding", s("VALID"));
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, run(g, "y"), EPS);
    }

    @Test
    void avgPoolSameExcludesPadding() {
        var g = new GraphDefBuilder().constant("x", range(9), 1, 3, 3, 1)
                .node("y", "AvgPool", List.of("x"), "ksize", ints(1, 2, 2, 1), "strides", ints(1, 2, 2, 1),
                        "padding", s("SAME"));
        assertArrayEquals(new float[] {3, 4.5f, 7.5f, 9}, run(g, "y"), EPS);
    }

    @Test
    void maxPoolValid() {
        var g = new GraphDefBuilder().constant("x", range(16), 1, 4, 4, 1)
                .node("y", "MaxPool", List.of("x"), "ksize", ints(1, 2, 2, 1), "strides", ints(1, 2, 2, 1),
                        "padding", s("VALID"));
        assertArrayEquals(new float[] {6, 8, 14, 16}, run(g, "y"), EPS);
    }

    @Test
    void fusedBatchNormUsesEpsilon() {
        var g = new GraphDefBuilder().constant("x", new float[] {1, 2}, 1, 1, 1, 2)
                .constant("scale", new float[] {1, 2}, 2).constant("offset", new float[] {0.5f, 0}, 2)
                .constant("mean", new float[] {0, 1}, 2).constant("var", new float[] {1, 3}, 2)
                .node("y", "FusedBatchNormV3", List.of("x", "scale", "offset", "mean", "var"), "epsilon", f(1),
                        "is_training", b(false));
        assertArrayEquals(new float[] {(float) (1 / Math.sqrt(2) + 0.5), 1}, run(g, "y"), EPS);
    }

    @Test
    void biasAddInBothLayouts() {
        var nhwc = new GraphDefBuilder().constant("x", new float[] {1, 2, 3, 4}, 1, 2, 1, 2)
                .constant("bias", new float[] {10, 20}, 2).node("y", "BiasAdd", List.of("x", "bias"));
        assertArrayEquals(new float[] {11, 22, 13, 24}, run(nhwc, "y"), EPS);
        var nchw = new GraphDefBuilder().constant("x", new float[] {1, 2, 3, 4}, 1, 2, 1, 2)
                .constant("bias", new float[] {10, 20}, 2)
                .node("y", "BiasAdd", List.of("x", "bias"), "data_format", s("NCHW"));
        assertArrayEquals(new float[] {11, 12, 23, 24}, run(nchw, "y"), EPS);
    }

    @Test
    void activations() {
        float[] x = {-2, -0.5f, 0, 3, 8};
        String[] ops = {"Relu", "Relu6", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "Softplus", "Square", "Neg"};
        for (String op : ops) {
            var g = new GraphDefBuilder().constant("x", x, 5);
            if (op.equals("LeakyRelu")) {
                g.node("y", op, List.of("x"), "alpha", f(0.1f));
            } else {
                g.node("y", op, List.of("x"));
            }
            float[] y = run(g, "y");
            for (int k = 0; k < x.length; k++) {
                double v = x[k];
                double expected = switch (op) {
                    case "Relu" -> Math.max(0, v);
                    case "Relu6" -> Math.min(6, Math.max(0, v));
                    case "LeakyRelu" -> v < 0 ? 0.1 * v : v;
                    case "Elu" -> v < 0 ? Math.exp(v) - 1 : v;
                    case "Sigmoid" -> 1 / (1 + Math.exp(-v));
                    case "Tanh" -> Math.tanh(v);
                    case "Softplus" -> Math.log1p(Math.exp(v));
                    case "Square" -> v * v;
                    default -> -v;
                };
                assertEquals(expected, y[k], 1e-4, op + "(" + v + ")");
            }
        }
        var g = new GraphDefBuilder().constant("x", new float[] {4, 0.25f}, 2).node("r", "Rsqrt", List.of("x"))
                .node("q", "Sqrt", List.of("x"));
        Graph graph = g.importGraph("r", "q");
        assertArrayEquals(new float[] {0.5f, 2}, floats(output(graph, 0)), EPS);
        assertArrayEquals(new float[] {2, 0.5f}, floats(output(graph, 1)), EPS);
    }

    @Test
    void binaryOpsBroadcastLikeTensorFlow() {
        float[] a = {1, 2, 3, 4, 5, 6};
        float[] bv = {2, 4, 8};
        String[] ops = {"Add", "AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "SquaredDifference"};
        for (String op : ops) {
            var g = new GraphDefBuilder().constant("a", a, 2, 3).constant("b", bv, 3).node("y", op, List.of("a", "b"));
            float[] y = run(g, "y");
            for (int k = 0; k < 6; k++) {
                float p = a[k];
                float q = bv[k % 3];
                float expected = switch (op) {
                    case "Add", "AddV2" -> p + q;
                    case "Sub" -> p - q;
                    case "Mul" -> p * q;
                    case "RealDiv" -> p / q;
                    case "Maximum" -> Math.max(p, q);
                    case "Minimum" -> Math.min(p, q);
                    default -> (p - q) * (p - q);
                };
                assertEquals(expected, y[k], EPS, op);
            }
        }
    }

    /** A 1x2x2x2 NHWC tensor that the importer holds as NCHW (it comes out of a 1x1 identity convolution). */
    private static GraphDefBuilder nhwcFeatureMap() {
        return new GraphDefBuilder().constant("x", range(8), 1, 2, 2, 2)
                .constant("eye", new float[] {1, 0, 0, 1}, 1, 1, 2, 2)
                .node("fm", "Conv2D", List.of("x", "eye"), "strides", ints(1, 1, 1, 1), "padding", s("VALID"));
    }

    @Test
    void layoutAwareAxisOpsMatchTensorFlowOrder() {
        // fm (NHWC) = [[[1,2],[3,4]],[[5,6],[7,8]]]: channel 0 = 1,3,5,7; channel 1 = 2,4,6,8.
        var mean = nhwcFeatureMap().ints("axes", 1, 2).node("y", "Mean", List.of("fm", "axes"),
                "keep_dims", b(false));
        assertArrayEquals(new float[] {4, 5}, run(mean, "y"), EPS);
        var sum = nhwcFeatureMap().ints("axes", 3).node("y", "Sum", List.of("fm", "axes"), "keep_dims", b(false));
        assertArrayEquals(new float[] {3, 7, 11, 15}, run(sum, "y"), EPS);
        var max = nhwcFeatureMap().ints("axes", -1).node("y", "Max", List.of("fm", "axes"), "keep_dims", b(true));
        assertArrayEquals(new float[] {2, 4, 6, 8}, run(max, "y"), EPS);
        assertArrayEquals(new int[] {1, 2, 2, 1}, shape(max, "y"));
        var reshape = nhwcFeatureMap().ints("shape", 1, -1).node("y", "Reshape", List.of("fm", "shape"));
        assertArrayEquals(range(8), run(reshape, "y"), EPS);
        var concat = nhwcFeatureMap().ints("axis", 3).node("y", "ConcatV2", List.of("fm", "fm", "axis"));
        assertArrayEquals(new float[] {1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6, 7, 8, 7, 8}, run(concat, "y"), EPS);
        var softmax = nhwcFeatureMap().node("y", "Softmax", List.of("fm"));
        float e = (float) (1 / (1 + Math.exp(1)));
        assertArrayEquals(new float[] {e, 1 - e, e, 1 - e, e, 1 - e, e, 1 - e}, run(softmax, "y"), 1e-5f);
        var pad = nhwcFeatureMap().ints("p0", 0, 0, 0, 0, 1, 0, 0, 1).node("pads", "Reshape",
                List.of("p0", "shape")).ints("shape", 4, 2).node("y", "Pad", List.of("fm", "pads"));
        // pads: W gets 1 before, C gets 1 after -> [1,2,3,3]
        float[] padded = run(pad, "y");
        assertArrayEquals(new int[] {1, 2, 3, 3}, shape(pad, "y"));
        assertArrayEquals(new float[] {0, 0, 0, 1, 2, 0, 3, 4, 0}, java.util.Arrays.copyOf(padded, 9), EPS);
        var squeeze = nhwcFeatureMap().ints("axes", 1, 2).node("m", "Mean", List.of("fm", "axes"),
                "keep_dims", b(true)).node("y", "Squeeze", List.of("m"), "squeeze_dims", ints(1, 2));
        assertArrayEquals(new float[] {4, 5}, run(squeeze, "y"), EPS);
        var transpose = nhwcFeatureMap().ints("perm", 0, 3, 1, 2).node("y", "Transpose", List.of("fm", "perm"));
        assertArrayEquals(new float[] {1, 3, 5, 7, 2, 4, 6, 8}, run(transpose, "y"), EPS);
        var add = nhwcFeatureMap().constant("c", new float[] {10, 20}, 2).node("y", "Mul", List.of("fm", "c"));
        assertArrayEquals(new float[] {10, 40, 30, 80, 50, 120, 70, 160}, run(add, "y"), EPS);
    }

    @Test
    void nhwcGraphGetsTransposesOnlyAtItsEdges() {
        var g = new GraphDefBuilder().placeholder("in", 1, 8, 8, 3)
                .constant("w1", new float[3 * 3 * 3 * 4], 3, 3, 3, 4).constant("b1", new float[4], 4)
                .constant("w2", new float[4 * 4], 1, 1, 4, 4)
                .node("c1", "Conv2D", List.of("in", "w1"), "strides", ints(1, 1, 1, 1), "padding", s("SAME"))
                .node("ba", "BiasAdd", List.of("c1", "b1")).node("r1", "Relu6", List.of("ba"))
                .node("c2", "Conv2D", List.of("r1", "w2"), "strides", ints(1, 1, 1, 1), "padding", s("SAME"))
                .node("add", "AddV2", List.of("c2", "r1")).node("r2", "Relu", List.of("add"))
                .node("pool", "MaxPool", List.of("r2"), "ksize", ints(1, 2, 2, 1), "strides", ints(1, 2, 2, 1),
                        "padding", s("VALID"))
                .ints("shape", 1, -1).node("flat", "Reshape", List.of("pool", "shape"));
        Graph graph = g.importGraph();
        long runtimeTransposes = graph.nodes().stream().filter(n -> n.type().equals("Transpose"))
                .filter(n -> !n.output(0).isKnown()).count();
        assertEquals(2, runtimeTransposes, "one at the NHWC input, one before the Reshape");
        assertArrayEquals(new int[] {1, 64}, graph.results().get(0).input(0).shape().toArray());
        assertArrayEquals(new int[] {1, 8, 8, 3}, graph.parameters().get(0).output(0).shape().toArray());
    }

    @Test
    void stridedSliceMasks() {
        float[] x = new float[24];
        for (int k = 0; k < 24; k++) {
            x[k] = k;
        }
        // x[1, ..., ::2]: shrink axis 0, ellipsis, stride 2 on the last axis
        var g = new GraphDefBuilder().constant("x", x, 2, 3, 4).ints("b", 1, 0, 0).ints("e", 2, 0, 4)
                .ints("s", 1, 1, 2).node("y", "StridedSlice", List.of("x", "b", "e", "s"), "shrink_axis_mask", i(1),
                        "ellipsis_mask", i(2));
        assertArrayEquals(new float[] {12, 14, 16, 18, 20, 22}, run(g, "y"), EPS);
        assertArrayEquals(new int[] {3, 2}, shape(g, "y"));
        // x[:, -1:0:-1, tf.newaxis]: begin mask on axis 0, a negative stride, a new axis
        var h = new GraphDefBuilder().constant("x", x, 2, 3, 4).ints("b", 0, -1, 0).ints("e", 0, 0, 0)
                .ints("s", 1, -1, 1).node("y", "StridedSlice", List.of("x", "b", "e", "s"), "begin_mask", i(1),
                        "end_mask", i(1), "new_axis_mask", i(4));
        assertArrayEquals(new int[] {2, 2, 1, 4}, shape(h, "y"));
        float[] y = run(h, "y");
        assertArrayEquals(new float[] {8, 9, 10, 11, 4, 5, 6, 7}, java.util.Arrays.copyOf(y, 8), EPS);
    }

    @Test
    void sliceShapeAndFriends() {
        var g = new GraphDefBuilder().constant("x", range(6), 2, 3).ints("b", 0, 1).ints("sz", -1, 2)
                .node("slice", "Slice", List.of("x", "b", "sz"))
                .node("shape", "Shape", List.of("x"))
                .ints("ax", 0).node("expand", "ExpandDims", List.of("x", "ax"))
                .node("pack", "Pack", List.of("x", "x"), "axis", i(1))
                .ints("dims", 2, 2).constant("v", new float[] {7}).node("fill", "Fill", List.of("dims", "v"))
                .ints("perm", 1, 0).node("tr", "Transpose", List.of("x", "perm"))
                .node("cast", "Cast", List.of("x"), "DstT", type(DataType.DT_INT32))
                .constant("m", range(6), 3, 2).node("mm", "MatMul", List.of("x", "x"), "transpose_b", b(true))
                .node("id", "IdentityN", List.of("x", "m"));
        Graph graph = g.importGraph("slice", "shape", "expand", "pack", "fill", "tr", "cast", "mm", "id:1");
        assertArrayEquals(new float[] {2, 3, 5, 6}, floats(output(graph, 0)), EPS);
        assertArrayEquals(new float[] {2, 3}, floats(output(graph, 1)), EPS);
        assertArrayEquals(new int[] {1, 2, 3}, output(graph, 2).shape());
        assertArrayEquals(new int[] {2, 2, 3}, output(graph, 3).shape());
        assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}, floats(output(graph, 3)), EPS);
        assertArrayEquals(new float[] {7, 7, 7, 7}, floats(output(graph, 4)), EPS);
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, floats(output(graph, 5)), EPS);
        assertEquals(dev.infero.core.types.ElementType.I32, output(graph, 6).type());
        assertArrayEquals(new float[] {14, 32, 32, 77}, floats(output(graph, 7)), EPS);
        assertArrayEquals(new int[] {3, 2}, output(graph, 8).shape());
    }

    @Test
    void padModes() {
        var g = new GraphDefBuilder().constant("x", new float[] {1, 2, 3}, 3).ints("p0", 2, 1)
                .ints("shape", 1, 2).node("p", "Reshape", List.of("p0", "shape"))
                .node("reflect", "MirrorPad", List.of("x", "p"), "mode", s("REFLECT"))
                .node("symmetric", "MirrorPad", List.of("x", "p"), "mode", s("SYMMETRIC"))
                .constant("c", new float[] {9}).node("v2", "PadV2", List.of("x", "p", "c"));
        Graph graph = g.importGraph("reflect", "symmetric", "v2");
        assertArrayEquals(new float[] {3, 2, 1, 2, 3, 2}, floats(output(graph, 0)), EPS);
        assertArrayEquals(new float[] {2, 1, 1, 2, 3, 3}, floats(output(graph, 1)), EPS);
        assertArrayEquals(new float[] {9, 9, 1, 2, 3, 9}, floats(output(graph, 2)), EPS);
    }

    @Test
    void resizeCoordinateModes() {
        float[][] expected = {
                {0, 0.5f, 1, 1},            // legacy: x·in/out
                {0, 1 / 3f, 2 / 3f, 1},     // align_corners
                {0, 0.25f, 0.75f, 1}};      // half_pixel_centers
        for (int mode = 0; mode < 3; mode++) {
            var g = new GraphDefBuilder().constant("x", new float[] {0, 1}, 1, 1, 2, 1).ints("size", 1, 4)
                    .node("y", "ResizeBilinear", List.of("x", "size"), "align_corners", b(mode == 1),
                            "half_pixel_centers", b(mode == 2));
            assertArrayEquals(expected[mode], run(g, "y"), 1e-5f, "mode " + mode);
        }
        var nn = new GraphDefBuilder().constant("x", new float[] {1, 2, 3}, 1, 1, 3, 1).ints("size", 1, 2)
                .node("legacy", "ResizeNearestNeighbor", List.of("x", "size"))
                .node("aligned", "ResizeNearestNeighbor", List.of("x", "size"), "align_corners", b(true))
                .ints("size5", 1, 5).node("half", "ResizeNearestNeighbor", List.of("x", "size5"),
                        "half_pixel_centers", b(true));
        Graph graph = nn.importGraph("legacy", "aligned", "half");
        assertArrayEquals(new float[] {1, 2}, floats(output(graph, 0)), EPS);   // floor(x·1.5): 0, 1
        assertArrayEquals(new float[] {1, 3}, floats(output(graph, 1)), EPS);   // round(x·2)
        assertArrayEquals(new float[] {1, 1, 2, 3, 3}, floats(output(graph, 2)), EPS); // floor((x+.5)·0.6)
    }

    private static TensorProto quint8(int... codes) {
        TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_QUINT8)
                .setTensorShape(GraphDefBuilder.shape(codes.length));
        for (int c : codes) {
            t.addIntVal(c);
        }
        return t.build();
    }

    @Test
    void dequantizeModes() {
        for (String mode : List.of("MIN_COMBINED", "MIN_FIRST", "SCALED")) {
            var g = new GraphDefBuilder().constant("q", quint8(0, 255, 51)).constant("min", new float[] {-1})
                    .constant("max", new float[] {1})
                    .node("y", "Dequantize", List.of("q", "min", "max"), "mode", s(mode), "T",
                            type(DataType.DT_QUINT8));
            float[] expected = mode.equals("SCALED") ? new float[] {0, 1, 0.2f} : new float[] {-1, 1, -0.6f};
            assertArrayEquals(expected, run(g, "y"), 1e-6f, mode);
        }
        TensorProto qint8 = TensorProto.newBuilder().setDtype(DataType.DT_QINT8)
                .setTensorShape(GraphDefBuilder.shape(2)).addIntVal(-128).addIntVal(127).build();
        var g = new GraphDefBuilder().constant("q", qint8).constant("min", new float[] {-1})
                .constant("max", new float[] {1}).node("y", "Dequantize", List.of("q", "min", "max"), "T",
                        type(DataType.DT_QINT8));
        assertArrayEquals(new float[] {-1, 1}, run(g, "y"), 1e-6f);
    }

    @Test
    void quantizeV2ThenDequantizeRoundTrips() {
        var g = new GraphDefBuilder().constant("x", new float[] {0, 0.5f, 1, 2}, 4)
                .constant("min", new float[] {0}).constant("max", new float[] {1})
                .node("q", "QuantizeV2", List.of("x", "min", "max"), "T", type(DataType.DT_QUINT8))
                .node("y", "Dequantize", List.of("q", "q:1", "q:2"), "T", type(DataType.DT_QUINT8));
        Graph graph = g.importGraph("q", "y");
        Tensor codes = output(graph, 0);
        assertEquals(dev.infero.core.types.ElementType.U8, codes.type());
        assertArrayEquals(new float[] {0, 128, 255, 255}, floats(codes), EPS); // 0.5·255 = 127.5 rounds away
        assertArrayEquals(new float[] {0, 128 / 255f, 1, 1}, floats(output(graph, 1)), 1e-6f);
    }

    @Test
    void typedValuesRepeatTheLastOne() {
        TensorProto t = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                .setTensorShape(GraphDefBuilder.shape(2, 2)).addFloatVal(1).addFloatVal(2).build();
        TensorProto none = TensorProto.newBuilder().setDtype(DataType.DT_INT64)
                .setTensorShape(GraphDefBuilder.shape(3)).build();
        TensorProto bools = TensorProto.newBuilder().setDtype(DataType.DT_BOOL)
                .setTensorShape(GraphDefBuilder.shape(2)).addBoolVal(true).build();
        TensorProto half = TensorProto.newBuilder().setDtype(DataType.DT_HALF)
                .setTensorShape(GraphDefBuilder.shape(2)).addHalfVal(0x3C00).build(); // 1.0 in f16
        Tensor a = TfTensors.toTensor(t, "t");
        assertArrayEquals(new float[] {1, 2, 2, 2}, a.floats(), EPS);
        assertArrayEquals(new long[] {0, 0, 0}, TfTensors.toTensor(none, "t").longs());
        Tensor bt = TfTensors.toTensor(bools, "t");
        assertEquals(1, bt.getLong(1));
        assertArrayEquals(new float[] {1, 1}, floats(TfTensors.toTensor(half, "t")), EPS);
    }

    @Test
    void dilatedConvolutionPatternEqualsConvWithDilations() {
        float[] w = new float[9];
        for (int k = 0; k < 9; k++) {
            w[k] = k % 3 - 1 + k / 3 * 0.5f;
        }
        // TF's atrous_conv2d(rate=2, SAME) on 5x5: pad 2+1 then crop 1 at the end of each spatial axis.
        var g = new GraphDefBuilder().constant("x", range(25), 1, 5, 5, 1).constant("w", w, 3, 3, 1, 1)
                .ints("block", 2, 2).ints("p0", 2, 3, 2, 3).ints("shape", 2, 2)
                .node("pads", "Reshape", List.of("p0", "shape")).ints("c0", 0, 1, 0, 1)
                .node("crops", "Reshape", List.of("c0", "shape"))
                .node("s2b", "SpaceToBatchND", List.of("x", "block", "pads"))
                .node("conv", "Conv2D", List.of("s2b", "w"), "strides", ints(1, 1, 1, 1), "padding", s("VALID"))
                .node("b2s", "BatchToSpaceND", List.of("conv", "block", "crops"))
                .node("ref", "Conv2D", List.of("x", "w"), "strides", ints(1, 1, 1, 1), "padding", s("SAME"),
                        "dilations", ints(1, 2, 2, 1));
        Graph graph = g.importGraph("b2s", "ref");
        assertArrayEquals(floats(output(graph, 1)), floats(output(graph, 0)), 1e-4f);
        assertArrayEquals(new int[] {1, 5, 5, 1}, output(graph, 0).shape());
        // centre: taps at rows/cols {0,2,4} = x·w over the 3x3 grid of odd-spaced pixels
        float centre = 0;
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                centre += (r * 2 * 5 + c * 2 + 1) * w[r * 3 + c];
            }
        }
        assertEquals(centre, floats(output(graph, 0))[12], 1e-4f);
    }

    @Test
    void constantsAreFoldedNotRecomputed() {
        Graph graph = new GraphDefBuilder().constant("x", range(4), 4).node("y", "Identity", List.of("x"))
                .importGraph("y");
        Node producer = graph.results().get(0).input(0).node();
        assertEquals(Constant.class, producer.op().getClass());
    }

    @Test
    void openCvPriorBoxAndDetectionOutput() {
        TensorProto variance = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                .setTensorShape(GraphDefBuilder.shape(4)).addFloatVal(0.1f).addFloatVal(0.1f).addFloatVal(0.2f)
                .addFloatVal(0.2f).build();
        var g = new GraphDefBuilder().constant("fm", new float[4], 1, 2, 2, 1).constant("img", new float[16], 1, 4, 4, 1)
                .node("pb", "PriorBox", List.of("fm", "img"), "min_size", i(2), "step", f(2), "offset", f(0.5f),
                        "flip", b(true), "clip", b(false), "variance",
                        dev.infero.tf.proto.Tf.AttrValue.newBuilder().setTensor(variance).build())
                .ints("axis", 1).node("priors", "ConcatV2", List.of("pb", "pb", "axis"));
        Graph graph = g.importGraph("pb", "priors");
        assertArrayEquals(new int[] {1, 2, 16}, output(graph, 0).shape());
        assertArrayEquals(new float[] {0, 0, 0.5f, 0.5f, 0.5f, 0, 1, 0.5f, 0, 0.5f, 0.5f, 1, 0.5f, 0.5f, 1, 1,
                0.1f, 0.1f, 0.2f, 0.2f, 0.1f, 0.1f, 0.2f, 0.2f, 0.1f, 0.1f, 0.2f, 0.2f, 0.1f, 0.1f, 0.2f, 0.2f},
                floats(output(graph, 0)), 1e-6f);
        assertArrayEquals(new int[] {1, 2, 32}, output(graph, 1).shape(), "priors concatenate along the boxes");

        // one prior, zero offsets: the box is the prior; class 1 scores 0.9
        var d = new GraphDefBuilder().constant("loc", new float[4], 1, 4).constant("conf", new float[] {0.1f, 0.9f}, 1, 2)
                .constant("prior", new float[] {0, 0, 0.5f, 0.5f, 0.1f, 0.1f, 0.2f, 0.2f}, 1, 2, 4)
                .node("det", "DetectionOutput", List.of("loc", "conf", "prior"), "num_classes", i(2),
                        "share_location", b(true), "background_label_id", i(0), "nms_threshold", f(0.45f),
                        "top_k", i(10), "code_type", s("CENTER_SIZE"), "keep_top_k", i(2),
                        "confidence_threshold", f(0.01f));
        float[] rows = run(d, "det");
        assertArrayEquals(new int[] {1, 1, 2, 7}, shape(d, "det"));
        assertArrayEquals(new float[] {0, 1, 0.9f, 0, 0, 0.5f, 0.5f}, java.util.Arrays.copyOf(rows, 7), 1e-5f);
        assertEquals(-1, rows[7], "the unused row is marked with image -1");
    }

    @Test
    void moreShapeOps() {
        var g = new GraphDefBuilder().constant("a", range(4), 2, 2).constant("b", range(4), 2, 2)
                .ints("axis0", 0).node("concat", "Concat", List.of("axis0", "a", "b"))
                .node("addn", "AddN", List.of("a", "b", "a"))
                .node("bmm", "BatchMatMulV2", List.of("a", "b"), "adj_x", b(true))
                .node("pack", "Pack", List.of("a", "b"), "axis", i(-1))
                .ints("sq_shape", 1, 4, 1).node("r", "Reshape", List.of("a", "sq_shape"))
                .node("squeeze", "Squeeze", List.of("r"))
                .ints("ax", 0).node("min", "Min", List.of("a", "ax")).node("prod", "Prod", List.of("a", "ax"));
        Graph graph = g.importGraph("concat", "addn", "bmm", "pack", "squeeze", "min", "prod");
        assertArrayEquals(new int[] {4, 2}, output(graph, 0).shape());
        assertArrayEquals(new float[] {3, 6, 9, 12}, floats(output(graph, 1)), EPS);
        // aᵀ·b with a = b = [[1,2],[3,4]]: [[10,14],[14,20]]
        assertArrayEquals(new float[] {10, 14, 14, 20}, floats(output(graph, 2)), EPS);
        assertArrayEquals(new int[] {2, 2, 2}, output(graph, 3).shape());
        assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, 4, 4}, floats(output(graph, 3)), EPS);
        assertArrayEquals(new int[] {4}, output(graph, 4).shape());
        assertArrayEquals(new float[] {1, 2}, floats(output(graph, 5)), EPS);
        assertArrayEquals(new float[] {3, 8}, floats(output(graph, 6)), EPS);
    }

    @Test
    void conv2dBackpropInputSame() {
        // 1x2x2x1 input, 3x3 ones filter, stride 2 SAME to 4x4: TF crops total pad 1 (=3-2) at the end.
        var g = new GraphDefBuilder().ints("sizes", 1, 4, 4, 1).constant("w", new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1},
                        3, 3, 1, 1).constant("x", new float[] {1, 2, 3, 4}, 1, 2, 2, 1)
                .node("y", "Conv2DBackpropInput", List.of("sizes", "w", "x"), "strides", ints(1, 2, 2, 1),
                        "padding", s("SAME"));
        // full 5x5 scatter, crop 0 at the start, 1 at the end: rows 0..3 of the full output
        float[] full = new float[25];
        float[] x = {1, 2, 3, 4};
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 2; c++) {
                for (int kr = 0; kr < 3; kr++) {
                    for (int kc = 0; kc < 3; kc++) {
                        full[(2 * r + kr) * 5 + 2 * c + kc] += x[r * 2 + c];
                    }
                }
            }
        }
        float[] expected = new float[16];
        for (int r = 0; r < 4; r++) {
            System.arraycopy(full, r * 5, expected, r * 4, 4);
        }
        assertArrayEquals(expected, run(g, "y"), EPS);
    }

    @Test
    void spaceToBatchAndBack() {
        // TF's documented example: [1,2,2,1] with block 2 -> [4,1,1,1]; and 4x4 -> batch 0 = x[0::2, 0::2]
        var g = new GraphDefBuilder().constant("x", range(16), 1, 4, 4, 1).ints("block", 2, 2)
                .ints("p0", 0, 0, 0, 0).ints("shape", 2, 2).node("pads", "Reshape", List.of("p0", "shape"))
                .ints("c0", 0, 0, 0, 1).node("crops", "Reshape", List.of("c0", "shape"))
                .node("s2b", "SpaceToBatchND", List.of("x", "block", "pads"))
                .node("back", "BatchToSpaceND", List.of("s2b", "block", "crops"));
        Graph graph = g.importGraph("s2b", "back");
        assertArrayEquals(new int[] {4, 2, 2, 1}, output(graph, 0).shape());
        assertArrayEquals(new float[] {1, 3, 9, 11}, java.util.Arrays.copyOf(floats(output(graph, 0)), 4), EPS);
        assertArrayEquals(new float[] {2, 4, 10, 12}, java.util.Arrays.copyOfRange(floats(output(graph, 0)), 4, 8),
                EPS);
        // back to 4x4, then the crops drop the last column
        assertArrayEquals(new int[] {1, 4, 3, 1}, output(graph, 1).shape());
        assertArrayEquals(new float[] {1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15}, floats(output(graph, 1)), EPS);
    }

    @Test
    void gatherSplitTileArgMaxRange() {
        var g = new GraphDefBuilder().constant("x", new float[] {1, 9, 3, 7, 2, 8}, 2, 3)
                .ints("idx", 2, 0).ints("ax1", 1).node("gather", "GatherV2", List.of("x", "idx", "ax1"))
                .ints("mult", 1, 2).node("tile", "Tile", List.of("x", "mult"))
                .node("argmax", "ArgMax", List.of("x", "ax1")).node("argmin", "ArgMin", List.of("x", "ax1"),
                        "output_type", type(DataType.DT_INT32))
                .node("split", "Split", List.of("ax1s", "x"), "num_split", i(3))
                .constant("ax1s", TensorProto.newBuilder().setDtype(DataType.DT_INT32).addIntVal(1).build())
                .ints("sizes", 1, -1).node("splitv", "SplitV", List.of("x", "sizes", "ax1s"))
                .node("unpack", "Unpack", List.of("x"), "num", i(2), "axis", i(0))
                .constant("start", TensorProto.newBuilder().setDtype(DataType.DT_INT32).addIntVal(2).build())
                .constant("limit", TensorProto.newBuilder().setDtype(DataType.DT_INT32).addIntVal(11).build())
                .constant("delta", TensorProto.newBuilder().setDtype(DataType.DT_INT32).addIntVal(3).build())
                .node("range", "Range", List.of("start", "limit", "delta"));
        Graph graph = g.importGraph("gather", "tile", "argmax", "argmin", "split:2", "splitv:1", "unpack:1", "range");
        assertArrayEquals(new float[] {3, 1, 8, 7}, floats(output(graph, 0)), EPS);
        assertArrayEquals(new float[] {1, 9, 3, 1, 9, 3, 7, 2, 8, 7, 2, 8}, floats(output(graph, 1)), EPS);
        assertArrayEquals(new float[] {1, 2}, floats(output(graph, 2)), EPS);
        assertEquals(dev.infero.core.types.ElementType.I64, output(graph, 2).type());
        assertArrayEquals(new float[] {0, 1}, floats(output(graph, 3)), EPS);
        assertEquals(dev.infero.core.types.ElementType.I32, output(graph, 3).type());
        assertArrayEquals(new float[] {3, 8}, floats(output(graph, 4)), EPS);
        assertArrayEquals(new float[] {9, 3, 2, 8}, floats(output(graph, 5)), EPS);
        assertArrayEquals(new float[] {7, 2, 8}, floats(output(graph, 6)), EPS);
        assertArrayEquals(new float[] {2, 5, 8}, floats(output(graph, 7)), EPS);
    }

    @Test
    void depthToSpaceAndLrn() {
        // TF's documented example: [1,1,1,4] = [1,2,3,4], block 2 -> [1,2,2,1] = [[1,2],[3,4]]
        var g = new GraphDefBuilder().constant("x", new float[] {1, 2, 3, 4}, 1, 1, 1, 4)
                .node("d2s", "DepthToSpace", List.of("x"), "block_size", i(2))
                .node("s2d", "SpaceToDepth", List.of("d2s"), "block_size", i(2))
                .node("lrn", "LRN", List.of("x"), "depth_radius", i(1), "bias", f(1), "alpha", f(0.5f),
                        "beta", f(1));
        Graph graph = g.importGraph("d2s", "s2d", "lrn");
        assertArrayEquals(new int[] {1, 2, 2, 1}, output(graph, 0).shape());
        assertArrayEquals(new float[] {1, 2, 3, 4}, floats(output(graph, 0)), EPS);
        assertArrayEquals(new float[] {1, 2, 3, 4}, floats(output(graph, 1)), EPS);
        assertArrayEquals(new int[] {1, 1, 1, 4}, output(graph, 1).shape());
        // sqr_sum over [d-1, d+1]: 5, 14, 29, 25 -> x / (1 + 0.5·sqr_sum)
        assertArrayEquals(new float[] {1 / 3.5f, 2 / 8f, 3 / 15.5f, 4 / 13.5f}, floats(output(graph, 2)), 1e-6f);
    }
}
