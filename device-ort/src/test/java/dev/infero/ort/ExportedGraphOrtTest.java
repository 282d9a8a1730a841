package dev.infero.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infero.core.InferoException;
import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.Executable;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Mish;
import dev.infero.core.ops.activation.PRelu;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Maximum;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Power;
import dev.infero.core.ops.eltwise.Sin;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.Pad;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.normalization.Softmax;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.ops.reduce.ReduceSum;
import dev.infero.core.ops.slicing.StridedSlice;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.CpuDevice;
import dev.infero.testing.GraphBuilder;
import dev.infero.testing.RandomData;
import dev.infero.testing.TensorAssert;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Graphs not read from an ONNX file run on ORT as their ONNX export ({@code OnnxExporter}): each op the exporter maps
 * gives on ONNX Runtime what Infero's CPU device computes from the same graph on the same random input. Tolerance
 * 1e-4 relative to max(1, |x|): both sides compute in f32 but sum and round in different orders (and exp, pow, the
 * ONNX Runtime ones, differ by a few ulp), which stays far below it on these small graphs.
 */
class ExportedGraphOrtTest {
    private static final double TOLERANCE = 1e-4;
    private final Random random = new Random(7);

    /** Runs {@code graph} on the CPU device and, as its ONNX export, on ORT; compares every output. */
    private void sameOnBoth(Graph graph) {
        List<Tensor> inputs = new ArrayList<>();
        graph.parameters().forEach(p -> inputs.add(RandomData.tensor(random, p.output(0).shape().toArray())));
        try (Executable cpu = new CpuDevice().compile(graph, Map.of());
             Executable ort = new OrtDevice().compile(graph, Map.of())) {
            assertEquals(OrtDevice.exportedDescription(), ort.properties().get(Executable.EXECUTED_MODEL));
            ExecutionRequest a = cpu.newRequest();
            ExecutionRequest b = ort.newRequest();
            for (int i = 0; i < inputs.size(); i++) {
                a.setInput(i, inputs.get(i));
                b.setInput(i, inputs.get(i));
            }
            a.run();
            b.run();
            for (int i = 0; i < cpu.outputs().size(); i++) {
                TensorAssert.assertClose(a.output(i), b.output(i), TOLERANCE, TOLERANCE);
            }
        }
    }

    private void unary(int[] shape, Function<GraphBuilder, Function<Value, Value>> body) {
        GraphBuilder g = new GraphBuilder("unit");
        Value x = g.input("x", ElementType.F32, shape);
        g.output(body.apply(g).apply(x));
        sameOnBoth(g.graph());
    }

    private static WindowGeometry window(long stride, long dilation, long padBegin, long padEnd, boolean ceil) {
        return new WindowGeometry(new long[] {stride, stride}, new long[] {dilation, dilation},
                new long[] {padBegin, padBegin}, new long[] {padEnd, padEnd}, AutoPad.EXPLICIT, ceil);
    }

    @Test
    void ceilModeMaxPoolAddsTheLastPartialWindowButNeverOneStartingInThePadding() {
        // 12 → 3x3/2 ceil: 6 windows (floor gives 5), as Caffe's MTCNN pools.
        unary(new int[] {1, 4, 12, 12}, g -> x -> g.op(new MaxPool(new long[] {3, 3}, window(2, 1, 0, 0, true), false), x));
        // 5 + end pad 1, 2x2/3 ceil: a 3rd window would start in the padding (at 6), so 2 (ORT and Infero alike).
        unary(new int[] {1, 2, 5, 5}, g -> x -> g.op(new MaxPool(new long[] {2, 2}, window(3, 1, 0, 1, true), false), x));
        unary(new int[] {1, 2, 9, 9}, g -> x -> g.op(new MaxPool(new long[] {2, 2}, window(1, 2, 1, 1, false), false), x));
        unary(new int[] {1, 3, 10, 10}, g -> x -> g.op(new AvgPool(new long[] {3, 3}, window(2, 1, 1, 0, true), false), x));
    }

    @Test
    void preluSlopesBroadcastNumpyStyleAsInOpenVino() {
        // Per channel as frontends write it, [C,1,1]; and a 1-D slope on the last axis of 2-D data.
        unary(new int[] {1, 3, 5, 4}, g -> x -> g.op(new PRelu(), x, g.constant(RandomData.tensor(random, 3, 1, 1))));
        unary(new int[] {2, 6}, g -> x -> g.op(new PRelu(), x, g.constant(RandomData.tensor(random, 6))));
    }

    @Test
    void softmaxOverChannels() {
        unary(new int[] {1, 2, 5, 7}, g -> x -> g.op(new Softmax(1), x));
    }

    @Test
    void f16AndU8WeightsConvertedToF32() {
        // IR's compressed weights: Const f16 → Convert f32 → Convolution (ONNX: an f16 initializer and a Cast).
        Tensor w16 = RandomData.tensor(random, 4, 3, 3, 3).convertTo(ElementType.F16);
        unary(new int[] {1, 3, 8, 8}, g -> x -> g.op(new Convolution(window(1, 1, 1, 1, false)), x,
                g.op(new Convert(ElementType.F32), g.constant(w16))));
        // TensorFlow's uint8 weights dequantized in the graph.
        Tensor u8 = Tensor.allocate(ElementType.U8, 3);
        for (int i = 0; i < 3; i++) {
            u8.setLong(i, 40 + 90 * i);
        }
        unary(new int[] {1, 2, 3}, g -> x -> g.op(new Multiply(), x,
                g.op(new Multiply(), g.op(new Convert(ElementType.F32), g.constant(u8)), g.constant(Tensor.scalar(0.01f)))));
    }

    @Test
    void arithmeticWithOnnxNames() {
        unary(new int[] {2, 3, 4}, g -> x -> {
            Value c = g.constant(RandomData.tensor(random, 3, 1));
            Value sub = g.op(new Subtract(), x, c);
            Value div = g.op(new Divide(), sub, g.constant(Tensor.scalar(1.7f)));
            Value max = g.op(new Maximum(), div, g.op(new Multiply(), x, c));
            Value pow = g.op(new Power(), g.op(new Relu(), max), g.constant(Tensor.scalar(2f)));
            return g.op(new Add(), pow, x);
        });
    }

    @Test
    void reductionsAndAxesOfAnyIntegerType() {
        unary(new int[] {2, 3, 4, 5}, g -> x -> g.op(new ReduceSum(true), x, g.constant(Tensor.of(new int[] {1, 3}, 2))));
        unary(new int[] {2, 3, 4, 5}, g -> x -> g.op(new ReduceMean(false), x, g.constant(Tensor.vector(2, 3))));
        // Empty axes reduce nothing in OpenVINO (ONNX: noop_with_empty_axes).
        unary(new int[] {2, 3}, g -> x -> g.op(new ReduceSum(true), x, g.constant(Tensor.of(new long[0], 0))));
        unary(new int[] {2, 3}, g -> x -> g.op(new Squeeze(),
                g.op(new Unsqueeze(), x, g.constant(Tensor.of(new int[] {0, 3}, 2))), g.constant(Tensor.of(new int[] {0}, 1))));
        unary(new int[] {2, 3, 4}, g -> x -> g.op(new Reshape(true), x, g.constant(Tensor.of(new int[] {0, -1}, 2))));
    }

    @Test
    void stridedSliceWithMasksShrinkNewAxisAndNegativeSteps() {
        // x[1:, None, ::-2, 1] with begin_mask on the reversed axis.
        unary(new int[] {3, 7, 4}, g -> x -> g.op(new StridedSlice(new long[] {0, 0, 1, 0}, new long[] {1, 0, 1, 0},
                        new long[] {0, 1, 0, 0}, new long[] {0, 0, 0, 1}, new long[0]), x,
                g.constant(Tensor.of(new int[] {1, 0, 0, 1}, 4)), g.constant(Tensor.of(new int[] {0, 0, 0, 2}, 4)),
                g.constant(Tensor.of(new int[] {1, 1, -2, 1}, 4))));
        // ...[..., 2:-1] (ellipsis) and a reversed slice running to the first element: x[:, 5:0:-1] has 5, x[:, 4::-1] all.
        unary(new int[] {2, 6, 5}, g -> x -> g.op(new StridedSlice(new long[] {0, 0}, new long[] {0, 0}, new long[0],
                        new long[0], new long[] {1, 0}), x, g.constant(Tensor.vector(0, 2)), g.constant(Tensor.vector(0, -1)),
                g.constant(Tensor.vector(1, 1))));
        unary(new int[] {2, 6}, g -> x -> g.op(new StridedSlice(new long[] {1, 0}, new long[] {1, 1}, new long[0],
                new long[0], new long[0]), x, g.constant(Tensor.vector(0, 4)), g.constant(Tensor.vector(0, 0)),
                g.constant(Tensor.vector(1, -1))));
    }

    @Test
    void layersOfTheFrameworkModels() {
        // TensorFlow's NHWC graphs: Transpose around a padded convolution, a batch norm and a depthwise convolution.
        unary(new int[] {1, 6, 6, 4}, g -> x -> {
            Value nchw = g.op(new Transpose(), x, g.constant(Tensor.of(new int[] {0, 3, 1, 2}, 4)));
            Value padded = g.op(new Pad(Pad.Mode.CONSTANT), nchw, g.constant(Tensor.vector(0, 0, 1, 0)),
                    g.constant(Tensor.vector(0, 0, 0, 1)), g.constant(Tensor.scalar(0f)));
            Value conv = g.op(new Convolution(window(2, 1, 0, 0, false)), padded, g.constant(RandomData.tensor(random, 5, 4, 3, 3)));
            Value bn = g.op(new BatchNormInference(1e-3), conv, g.constant(RandomData.tensor(random, 5)),
                    g.constant(RandomData.tensor(random, 5)), g.constant(RandomData.tensor(random, 5)),
                    g.constant(Tensor.of(new float[] {0.5f, 1, 2, 0.7f, 1.5f}, 5)));
            Value dw = g.op(new GroupConvolution(window(1, 1, 1, 1, false)), bn, g.constant(RandomData.tensor(random, 5, 1, 1, 3, 3)));
            Value cat = g.op(new Concat(1), dw, bn);
            return g.op(new MatMul(false, true), g.op(new Reshape(false), cat, g.constant(Tensor.vector(1, -1))),
                    g.constant(RandomData.tensor(random, 7, 90)));
        });
    }

    @Test
    void opsWithoutAMappingAndAttributesWithoutAnOnnxFormAreOneErrorListingThem() {
        GraphBuilder g = new GraphBuilder("unmapped");
        Value x = g.input("x", ElementType.F32, 1, 2, 9, 9);
        Value pooled = g.op("dilated_avg", new AvgPool(new long[] {2, 2}, window(1, 2, 0, 0, false), true), x);
        g.output(g.op(new Mish(), g.op(new Sin(), pooled)));
        InferoException e = assertThrows(InferoException.class, () -> new OrtDevice().compile(g.graph(), Map.of()));
        assertEquals("cannot export model 'unmapped' to ONNX: no mapping for Mish, Sin; no exact ONNX opset 18 form "
                + "for AvgPool 'dilated_avg' (dilations [2, 2])", e.getMessage());
    }
}
