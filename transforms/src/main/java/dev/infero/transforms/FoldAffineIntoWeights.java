package dev.infero.transforms;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.ConvolutionBase;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.tensor.ChannelValues;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.util.List;

/**
 * Folds per-output-channel affine ops that follow a Convolution, GroupConvolution or MatMul with constant weights
 * into those weights and a bias: BatchNormInference, Multiply by a per-channel constant, Add of a per-channel
 * constant. {@code op(x·w + b)·s + t} becomes {@code x·(w·s) + (b·s + t)}, leaving at most one bias Add.
 */
public final class FoldAffineIntoWeights implements Pass {
    /** y = x·scale + shift per output channel. */
    private record Affine(float[] scale, float[] shift) {
    }

    @Override
    public String name() {
        return "fold-batchnorm-mul-add-into-weights";
    }

    @Override
    public int apply(Graph graph) {
        int folded = 0;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Node node : List.copyOf(graph.nodes())) {
                if (fold(graph, node)) {
                    folded++;
                    changed = true;
                    break;
                }
            }
        }
        return folded;
    }

    private boolean fold(Graph graph, Node op) {
        Value in = op.inputs().isEmpty() ? null : op.input(0);
        if (in == null || in.type() != ElementType.F32 || !soleReader(in, op)) {
            return false;
        }
        // The producer chain: weights op, optionally followed by one constant bias Add.
        Node producer = in.node();
        Node biasAdd = null;
        if (producer.op() instanceof Add && producer.input(1).isKnown()
                && outputChannels(producer.input(0).node()) > 0) {
            biasAdd = producer;
            Value before = producer.input(0);
            if (!soleReader(before, producer)) {
                return false;
            }
            producer = before.node();
        }
        int channels = outputChannels(producer);
        if (channels <= 0 || (biasAdd == null && op.op() instanceof Add)) {
            return false; // an Add right after the weights op already is the bias
        }
        int rank = producer.output(0).shape().rank();
        int axis = producer.op() instanceof MatMul ? rank - 1 : 1;
        Affine affine = affine(op, channels, rank, axis);
        if (affine == null) {
            return false;
        }
        float[] bias = biasAdd == null ? new float[channels]
                : ChannelValues.of(biasAdd.input(1).knownValue(), channels, rank, axis);
        if (bias == null) {
            return false;
        }
        Tensor w = scaledWeights(producer, affine.scale());
        for (int c = 0; c < channels; c++) {
            bias[c] = bias[c] * affine.scale()[c] + affine.shift()[c];
        }
        graph.setInput(producer, 1, graph.addConstant(producer.name() + "/folded_weights", w).output(0));
        Value biasValue = graph.addConstant(producer.name() + "/folded_bias", shapedBias(bias, rank, axis)).output(0);
        Value result;
        if (biasAdd != null) {
            graph.setInput(biasAdd, 1, biasValue);
            result = biasAdd.output(0);
        } else {
            result = graph.add(new Add(), producer.name() + "/bias", producer.output(0), biasValue).output(0);
        }
        graph.replaceAllUses(op.output(0), result);
        graph.removeDeadNodes();
        return true;
    }

    /** Whether {@code reader} is the only node reading {@code v} and {@code v} is no model output. */
    private static boolean soleReader(Value v, Node reader) {
        return v.soleConsumer() == reader;
    }

    /** Output channels of a foldable weights op with constant f32 weights, or -1. */
    private static int outputChannels(Node n) {
        if (n.inputs().size() < 2 || !n.input(1).isKnown() || n.input(1).knownValue().type() != ElementType.F32
                || !n.output(0).shape().isStatic() || DequantizedWeights.isDequantized(n.input(1))) {
            return -1; // INT8 weight codes stay codes: the affine op then runs as a post-op of the layer
        }
        int[] out = n.output(0).shape().toArray();
        if (n.op() instanceof ConvolutionBase) {
            return out[1];
        }
        if (n.op() instanceof MatMul m && n.input(1).shape().rank() == 2 && out.length >= 1) {
            return out[out.length - 1];
        }
        return -1;
    }

    private static Affine affine(Node op, int channels, int rank, int axis) {
        if (op.op() instanceof BatchNormInference bn && axis == 1) {
            for (int i = 1; i < 5; i++) {
                if (!op.input(i).isKnown() || op.input(i).knownValue().size() != channels) {
                    return null;
                }
            }
            var affine = bn.scaleShift(op.input(1).knownValue(), op.input(2).knownValue(), op.input(3).knownValue(),
                    op.input(4).knownValue());
            return new Affine(affine.scaleF32(), affine.shiftF32());
        }
        if ((op.op() instanceof Multiply || op.op() instanceof Add) && op.input(1).isKnown()
                && op.output(0).shape().equals(op.input(0).shape())) {
            float[] values = ChannelValues.of(op.input(1).knownValue(), channels, rank, axis);
            if (values == null) {
                return null;
            }
            float[] ones = new float[channels];
            java.util.Arrays.fill(ones, 1f);
            return op.op() instanceof Multiply ? new Affine(values, new float[channels]) : new Affine(ones, values);
        }
        return null;
    }

    /** The weights with every output channel's coefficients multiplied by its scale. */
    private static Tensor scaledWeights(Node n, float[] scale) {
        Tensor w = n.input(1).knownValue().copy();
        float[] f = w.floats();
        int channels = scale.length;
        if (n.op() instanceof MatMul m) {
            int[] s = w.shape();
            for (int r = 0; r < s[0]; r++) {
                for (int c = 0; c < s[1]; c++) {
                    f[r * s[1] + c] *= scale[m.transposeB() ? r : c];
                }
            }
        } else {
            int per = w.size() / channels;
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < per; i++) {
                    f[c * per + i] *= scale[c];
                }
            }
        }
        return w;
    }

    private static Tensor shapedBias(float[] bias, int rank, int axis) {
        int[] shape = new int[rank];
        java.util.Arrays.fill(shape, 1);
        shape[axis] = bias.length;
        return Tensor.of(bias, shape);
    }
}
