package dev.infero.transforms;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidInputException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.movement.Gather;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;
import java.util.List;

/**
 * Puts the model optimizer's input preprocessing into the graph: reverse the channel order, subtract the mean,
 * divide by the scale — in that order, whatever order the options were given in. When the input feeds exactly one
 * Convolution, the steps are folded into its weights (and a bias) where that is exact: the channel reversal and the
 * scale always are; the mean only when the convolution pads nothing, since padding would see the mean-shifted zeros.
 * Whatever cannot fold stays as explicit ops after the input.
 */
public final class EmbedPreprocessing implements Pass {
    /** What to do to an input, per channel (arrays are empty when the step is not wanted). */
    public record Steps(boolean reverseChannels, float[] mean, float[] scale) {
        public boolean isEmpty() {
            return !reverseChannels && mean.length == 0 && scale.length == 0;
        }
    }

    private final List<Node> inputs;
    private final Steps steps;
    private final int channelAxis;

    /** @param channelAxis 1 for NCHW inputs, 3 for NHWC */
    public EmbedPreprocessing(List<Node> inputs, Steps steps, int channelAxis) {
        this.inputs = List.copyOf(inputs);
        this.steps = steps;
        this.channelAxis = channelAxis;
    }

    @Override
    public String name() {
        return "embed-preprocessing";
    }

    @Override
    public int apply(Graph graph) {
        if (steps.isEmpty()) {
            return 0;
        }
        int rewrites = 0;
        for (Node input : inputs) {
            rewrites += embed(graph, input);
        }
        return rewrites;
    }

    private int embed(Graph graph, Node input) {
        Value x = input.output(0);
        int channels = channels(input);
        float[] mean = perChannel(steps.mean(), channels, "--mean_values", input);
        float[] scale = perChannel(steps.scale(), channels, "--scale_values", input);
        if (steps.reverseChannels() && channels != 3) {
            throw new InferoException("--reverse_input_channels needs a 3-channel input, but input '" + input.name()
                    + "' has " + channels + " channels");
        }
        // Steps act on the reversed input; seen from the raw input, per-channel values are reversed too.
        if (steps.reverseChannels()) {
            mean = reversed(mean);
            scale = reversed(scale);
        }
        List<Node> readers = graph.consumers(x);
        Node conv = readers.size() == 1 && readers.get(0).op() instanceof Convolution && readers.get(0).input(0) == x
                && readers.get(0).input(1).isKnown() && channelAxis == 1 ? readers.get(0) : null;
        if (conv == null) {
            explicit(graph, x, mean, scale, channels);
            return 1;
        }
        Tensor w = conv.input(1).knownValue().convertTo(ElementType.F32);
        if (steps.reverseChannels()) {
            w = reverseInputChannels(w);
        }
        if (scale != null) {
            divideInputChannels(w, scale);
        }
        graph.setInput(conv, 1, graph.addConstant(conv.name() + "/preprocessed_weights", w).output(0));
        if (mean != null) {
            if (padsNothing(conv)) {
                Tensor bias = meanBias(w, mean);
                graph.insertAfter(conv.output(0), new Add(), conv.name() + "/mean_bias",
                        graph.addConstant(conv.name() + "/mean_bias_value", bias).output(0));
            } else {
                graph.insertAfter(x, new Subtract(), input.name() + "/mean",
                        graph.addConstant(input.name() + "/mean_value", shaped(mean, channels, x.shape().rank())).output(0));
            }
        }
        return 1;
    }

    /** Reverse (Gather), Subtract, Divide after the input, for inputs whose reader cannot absorb them. */
    private void explicit(Graph graph, Value x, float[] rawMean, float[] rawScale, int channels) {
        Value v = x;
        String base = x.node().name();
        if (steps.reverseChannels()) {
            v = graph.insertAfter(v, new Gather(0), base + "/reverse_channels",
                    graph.addConstant(base + "/reverse_indices", Tensor.vector(2, 1, 0)).output(0),
                    graph.addConstant(base + "/reverse_axis", Tensor.scalar((long) channelAxis)).output(0));
        }
        // The explicit ops run after the reversal, so they take the values in the order the user gave them.
        float[] mean = steps.reverseChannels() && rawMean != null ? reversed(rawMean) : rawMean;
        float[] scale = steps.reverseChannels() && rawScale != null ? reversed(rawScale) : rawScale;
        if (mean != null) {
            v = graph.insertAfter(v, new Subtract(), base + "/mean",
                    graph.addConstant(base + "/mean_value", shaped(mean, channels, x.shape().rank())).output(0));
        }
        if (scale != null) {
            graph.insertAfter(v, new Divide(), base + "/scale",
                    graph.addConstant(base + "/scale_value", shaped(scale, channels, x.shape().rank())).output(0));
        }
    }

    private int channels(Node input) {
        PartialShape s = input.output(0).shape();
        if (!(input.op() instanceof Parameter) || !s.hasRank() || s.rank() <= channelAxis
                || s.isDynamic(channelAxis)) {
            throw new InferoException("input '" + input.name() + "' of shape " + s + " has no static channel dimension "
                    + "at axis " + channelAxis + " for preprocessing; give --input_shape or --layout");
        }
        if (input.output(0).type() != ElementType.F32) {
            throw new InferoException("input '" + input.name() + "' is " + input.output(0).type()
                    + "; preprocessing needs an f32 input");
        }
        return s.dim(channelAxis);
    }

    /** One value per channel: a list of C values, or one value for all; {@code null} when not given. */
    private static float[] perChannel(float[] values, int channels, String option, Node input) {
        if (values.length == 0) {
            return null;
        }
        checkValues(option, values, option.equals("--scale_values"));
        if (values.length == 1) {
            float[] all = new float[channels];
            Arrays.fill(all, values[0]);
            return all;
        }
        if (values.length != channels) {
            throw new InferoException(option + " has " + values.length + " values but input '" + input.name()
                    + "' has " + channels + " channels");
        }
        return values.clone();
    }

    /**
     * The one check of mean and scale values, for {@code convert}'s embedded preprocessing and for images fed at run
     * time ({@code run}, {@code ImageInput.Preprocessing}): every value finite, and a scale (a divisor) not zero.
     * Throws an {@link InvalidInputException} naming {@code option} and the value.
     */
    public static void checkValues(String option, float[] values, boolean divisor) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new InvalidInputException(option + " must be finite numbers, got " + v + " in "
                        + Arrays.toString(values));
            }
            if (divisor && v == 0) {
                throw new InvalidInputException(option + " must not contain 0 (it divides the input), got "
                        + Arrays.toString(values));
            }
        }
    }

    /** Values shaped to broadcast along the channel axis of an input of rank {@code rank}. */
    private Tensor shaped(float[] values, int channels, int rank) {
        int[] shape = new int[rank];
        Arrays.fill(shape, 1);
        shape[channelAxis] = channels;
        return Tensor.of(values.clone(), shape);
    }

    private static float[] reversed(float[] v) {
        if (v == null) {
            return null;
        }
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[v.length - 1 - i];
        }
        return r;
    }

    /** Weights [Cout, Cin, ...] with the input-channel axis reversed. */
    private static Tensor reverseInputChannels(Tensor w) {
        int[] s = w.shape();
        int cin = s[1];
        int inner = w.size() / (s[0] * cin);
        Tensor out = Tensor.allocate(ElementType.F32, s);
        for (int o = 0; o < s[0]; o++) {
            for (int c = 0; c < cin; c++) {
                System.arraycopy(w.floats(), (o * cin + c) * inner, out.floats(), (o * cin + (cin - 1 - c)) * inner, inner);
            }
        }
        return out;
    }

    private static void divideInputChannels(Tensor w, float[] scale) {
        int[] s = w.shape();
        int inner = w.size() / (s[0] * s[1]);
        float[] f = w.floats();
        for (int o = 0; o < s[0]; o++) {
            for (int c = 0; c < s[1]; c++) {
                int base = (o * s[1] + c) * inner;
                for (int i = 0; i < inner; i++) {
                    f[base + i] /= scale[c];
                }
            }
        }
    }

    /** conv(x - m, w) = conv(x, w) - Σ w·m when no window touches padding: the bias [1, Cout, 1, 1]. */
    private static Tensor meanBias(Tensor w, float[] mean) {
        int[] s = w.shape();
        int inner = w.size() / (s[0] * s[1]);
        float[] bias = new float[s[0]];
        for (int o = 0; o < s[0]; o++) {
            double sum = 0;
            for (int c = 0; c < s[1]; c++) {
                for (int i = 0; i < inner; i++) {
                    sum += (double) w.floats()[(o * s[1] + c) * inner + i] * mean[c];
                }
            }
            bias[o] = (float) -sum;
        }
        return Tensor.of(bias, 1, s[0], 1, 1);
    }

    private static boolean padsNothing(Node conv) {
        Convolution c = (Convolution) conv.op();
        return switch (c.window().autoPad()) {
            case VALID -> true;
            case EXPLICIT -> Arrays.stream(c.window().padsBegin()).allMatch(p -> p == 0)
                    && Arrays.stream(c.window().padsEnd()).allMatch(p -> p == 0);
            default -> false;
        };
    }
}
