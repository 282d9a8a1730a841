package dev.infero.quantize;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The graph rewrite of POT's DefaultQuantization (MinMaxQuantization part), in OpenVINO's INT8 IR form:
 * <ul>
 *   <li>a FakeQuantize (levels 256) on every activation input of Convolution, GroupConvolution and MatMul, one per
 *       tensor, shared by all quantized layers reading it (other readers keep the float tensor);</li>
 *   <li>the constant weights of those layers replaced by {@code Const i8 → Convert f32 → Multiply(scale)}, scales per
 *       output channel ({@link WeightQuantizer}), so the {@code .bin} holds one byte per weight.</li>
 * </ul>
 * Layers named in {@code ignored.scope} or whose type is in {@code ignored.operations} are left in floating point.
 * The input of a depthwise convolution (read by no other quantized layer) gets per-channel ranges ([1, C, 1, 1]),
 * as OpenVINO's CPU configuration allows: its channels are never summed together, so one channel's wide range need
 * not coarsen the others.
 */
public final class DefaultQuantization {
    /** Op types quantized: those the CPU runtime is meant to run with INT8 inputs. */
    public static final Set<String> QUANTIZABLE = Set.of("Convolution", "GroupConvolution", "MatMul");

    /** A quantized layer: its FP32 weights (for bias correction) and the FakeQuantize on each activation port. */
    public record Layer(Node node, Tensor fp32Weights, Map<Integer, Node> fakeQuantizes) {
    }

    /** What the rewrite did. */
    public record Outcome(List<Layer> layers, int fakeQuantizes) {
    }

    private DefaultQuantization() {
    }

    /** The layers to quantize, in graph order; unknown ignored names are an error (they are likely typos). */
    public static List<Node> layers(Graph graph, QuantizationParameters params) {
        Set<String> names = new LinkedHashSet<>(params.ignoredScope());
        for (Node n : graph.nodes()) {
            names.remove(n.name());
        }
        if (!names.isEmpty()) {
            throw new InferoException("ignored.scope: no node named " + String.join(", ", names) + " in the model");
        }
        return graph.nodes().stream()
                .filter(n -> QUANTIZABLE.contains(n.type()))
                .filter(n -> !params.ignoredScope().contains(n.name()))
                .filter(n -> !params.ignoredOperations().contains(n.type()))
                .toList();
    }

    /** The input ports of {@code layer} that carry activations (not build-time constants). */
    static List<Integer> activationPorts(Node layer) {
        List<Integer> ports = new ArrayList<>();
        int count = layer.op() instanceof MatMul ? 2 : 1;
        for (int i = 0; i < count; i++) {
            if (!layer.input(i).isKnown() && layer.input(i).type() == ElementType.F32) {
                ports.add(i);
            }
        }
        return ports;
    }

    /** The distinct activation tensors read by {@code layers}, in order of first use. */
    public static List<TensorId> activationInputs(List<Node> layers) {
        Set<TensorId> ids = new LinkedHashSet<>();
        for (Node l : layers) {
            for (int port : activationPorts(l)) {
                ids.add(TensorId.of(l.input(port)));
            }
        }
        return List.copyOf(ids);
    }

    /** The activation tensors quantized per channel: those read only by depthwise convolutions among the layers. */
    public static Set<TensorId> perChannelInputs(List<Node> layers) {
        Map<TensorId, Boolean> onlyDepthwise = new LinkedHashMap<>();
        for (Node l : layers) {
            for (int port : activationPorts(l)) {
                onlyDepthwise.merge(TensorId.of(l.input(port)), isDepthwise(l) && l.input(port).shape().hasRank()
                        && l.input(port).shape().rank() >= 3, Boolean::logicalAnd);
            }
        }
        Set<TensorId> out = new LinkedHashSet<>();
        onlyDepthwise.forEach((id, dw) -> {
            if (dw) {
                out.add(id);
            }
        });
        return out;
    }

    /** A GroupConvolution with one input and one output channel per group: weights [C, 1, 1, k...]. */
    static boolean isDepthwise(Node layer) {
        if (!(layer.op() instanceof GroupConvolution) || !layer.input(1).shape().hasRank()) {
            return false;
        }
        var w = layer.input(1).shape();
        return w.rank() >= 3 && w.dim(1) == 1 && w.dim(2) == 1;
    }

    /**
     * Rewrites {@code graph}; {@code ranges} must hold every tensor {@link #activationInputs} named: one range for a
     * per-tensor FakeQuantize, one per channel (axis 1) for those in {@link #perChannelInputs}.
     */
    public static Outcome apply(Graph graph, List<Node> layers, Map<TensorId, List<ActivationRange>> ranges,
                                Preset preset) {
        Map<TensorId, Node> fqByTensor = new LinkedHashMap<>();
        List<Layer> done = new ArrayList<>();
        for (Node layer : layers) {
            Map<Integer, Node> fqs = new LinkedHashMap<>();
            for (int port : activationPorts(layer)) {
                Value x = layer.input(port);
                TensorId id = TensorId.of(x);
                List<ActivationRange> range = ranges.get(id);
                if (range == null) {
                    throw new IllegalArgumentException("no statistics for tensor " + id);
                }
                Node fq = fqByTensor.computeIfAbsent(id,
                        k -> addFakeQuantize(graph, x, layer.name() + "/fq_input_" + port, range, preset));
                graph.setInput(layer, port, fq.output(0));
                fqs.put(port, fq);
            }
            Tensor weights = null;
            int[] axes = weightChannelAxes(layer);
            if (axes != null) {
                weights = layer.input(1).knownValue();
                graph.setInput(layer, 1, compressedWeights(graph, layer.name(), weights, axes));
            }
            done.add(new Layer(layer, weights, fqs));
        }
        graph.removeDeadNodes();
        return new Outcome(done, fqByTensor.size());
    }

    private static Node addFakeQuantize(Graph graph, Value x, String name, List<ActivationRange> ranges,
                                        Preset preset) {
        int[] shape = new int[x.shape().hasRank() ? x.shape().rank() : 0];
        Arrays.fill(shape, 1);
        if (ranges.size() > 1) {
            shape[1] = ranges.size();
        }
        float[] low = new float[ranges.size()];
        float[] high = new float[ranges.size()];
        for (int c = 0; c < low.length; c++) {
            float[] interval = ranges.get(c).interval(preset);
            low[c] = interval[0];
            high[c] = interval[1];
        }
        Value il = graph.addConstant(name + "/input_low", Tensor.of(low, shape)).output(0);
        Value ih = graph.addConstant(name + "/input_high", Tensor.of(high, shape)).output(0);
        Value ol = graph.addConstant(name + "/output_low", Tensor.of(low.clone(), shape)).output(0);
        Value oh = graph.addConstant(name + "/output_high", Tensor.of(high.clone(), shape)).output(0);
        return graph.add(new FakeQuantize(ActivationRange.LEVELS), name, x, il, ih, ol, oh);
    }

    /**
     * The weight axes that index output channels, or {@code null} when the layer's weights are not a floating
     * constant (then they stay as they are).
     */
    static int[] weightChannelAxes(Node layer) {
        Value w = layer.input(1);
        if (!w.isKnown() || !w.type().isFloating()) {
            return null;
        }
        int rank = w.knownValue().rank();
        return switch (layer.type()) {
            case "Convolution" -> new int[] {0};
            case "GroupConvolution" -> new int[] {0, 1};
            case "MatMul" -> rank < 2 ? new int[0]
                    : new int[] {((MatMul) layer.op()).transposeB() ? rank - 2 : rank - 1};
            default -> throw new IllegalArgumentException(layer.type());
        };
    }

    /** {@code Const i8 → Convert f32 → Multiply(scale)}: the weights as POT writes them compressed. */
    private static Value compressedWeights(Graph graph, String layer, Tensor weights, int[] axes) {
        WeightQuantizer.Quantized q = WeightQuantizer.quantize(weights, axes);
        Value i8 = graph.addConstant(layer + "/weights_i8", q.values()).output(0);
        Value f32 = graph.value(new Convert(ElementType.F32), layer + "/weights_convert", i8);
        Value scale = graph.addConstant(layer + "/weights_scale", q.scales()).output(0);
        return graph.value(new Multiply(), layer + "/fq_weights_1", f32, scale);
    }
}
