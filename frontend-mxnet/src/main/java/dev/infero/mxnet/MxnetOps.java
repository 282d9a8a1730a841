package dev.infero.mxnet;

import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.activation.Elu;
import dev.infero.core.ops.activation.Gelu;
import dev.infero.core.ops.activation.PRelu;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.activation.SoftPlus;
import dev.infero.core.ops.activation.SoftSign;
import dev.infero.core.ops.eltwise.Abs;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Exp;
import dev.infero.core.ops.eltwise.Log;
import dev.infero.core.ops.eltwise.Maximum;
import dev.infero.core.ops.eltwise.Minimum;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Negative;
import dev.infero.core.ops.eltwise.Power;
import dev.infero.core.ops.eltwise.Sqrt;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.eltwise.Tanh;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.ConvolutionBackpropData;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.GroupConvolutionBackpropData;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.normalization.NormalizeL2;
import dev.infero.core.ops.normalization.Softmax;
import dev.infero.core.ops.reduce.ReduceMax;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.LongStream;

/** The translation of each MXNet op into Infero ops, with MXNet's semantics and attribute defaults. */
final class MxnetOps {
    private MxnetOps() {
    }

    private static final Map<String, Supplier<Op>> BINARY = Map.ofEntries(
            Map.entry("elemwise_add", Add::new), Map.entry("_Plus", Add::new), Map.entry("_plus", Add::new),
            Map.entry("_add", Add::new), Map.entry("broadcast_add", Add::new), Map.entry("broadcast_plus", Add::new),
            Map.entry("elemwise_sub", Subtract::new), Map.entry("_Minus", Subtract::new), Map.entry("_minus", Subtract::new),
            Map.entry("_sub", Subtract::new), Map.entry("broadcast_sub", Subtract::new), Map.entry("broadcast_minus", Subtract::new),
            Map.entry("elemwise_mul", Multiply::new), Map.entry("_Mul", Multiply::new), Map.entry("_mul", Multiply::new),
            Map.entry("broadcast_mul", Multiply::new), Map.entry("elemwise_div", Divide::new), Map.entry("_Div", Divide::new),
            Map.entry("_div", Divide::new), Map.entry("broadcast_div", Divide::new), Map.entry("_maximum", Maximum::new),
            Map.entry("broadcast_maximum", Maximum::new), Map.entry("_minimum", Minimum::new),
            Map.entry("broadcast_minimum", Minimum::new), Map.entry("_power", Power::new), Map.entry("broadcast_power", Power::new));

    private static final Map<String, Supplier<Op>> UNARY = Map.ofEntries(Map.entry("relu", Relu::new),
            Map.entry("sigmoid", Sigmoid::new), Map.entry("tanh", Tanh::new), Map.entry("exp", Exp::new),
            Map.entry("log", Log::new), Map.entry("sqrt", Sqrt::new), Map.entry("abs", Abs::new),
            Map.entry("negative", Negative::new));

    private static final Set<String> SCALAR = Set.of("_plus_scalar", "_PlusScalar", "_minus_scalar", "_MinusScalar",
            "_rminus_scalar", "_RMinusScalar", "_mul_scalar", "_MulScalar", "_div_scalar", "_DivScalar", "_rdiv_scalar",
            "_RDivScalar", "_power_scalar", "_PowerScalar", "_maximum_scalar", "_MaximumScalar", "_minimum_scalar",
            "_MinimumScalar");

    private static final Set<String> IDENTITY = Set.of("Dropout", "identity", "_copy", "BlockGrad", "stop_gradient",
            "MakeLoss");

    private static final Set<String> OTHERS = Set.of("Convolution", "Deconvolution", "BatchNorm", "Activation",
            "LeakyReLU", "Pooling", "FullyConnected", "Flatten", "flatten", "Concat", "concat", "SoftmaxOutput", "softmax",
            "SoftmaxActivation", "Reshape", "reshape", "transpose", "L2Normalization", "clip", "add_n", "ElementWiseSum");

    static boolean supports(String op) {
        return BINARY.containsKey(op) || UNARY.containsKey(op) || SCALAR.contains(op) || IDENTITY.contains(op)
                || OTHERS.contains(op);
    }

    static List<Value> translate(MxnetNode n) {
        String op = n.op();
        if (BINARY.containsKey(op)) {
            return List.of(n.add(BINARY.get(op).get(), null, n.input(0), n.input(1)));
        }
        if (UNARY.containsKey(op)) {
            return List.of(n.add(UNARY.get(op).get(), null, n.input(0)));
        }
        if (SCALAR.contains(op)) {
            return List.of(scalar(n));
        }
        if (IDENTITY.contains(op)) {
            return List.of(n.input(0));
        }
        return List.of(switch (op) {
            case "Convolution" -> convolution(n, false);
            case "Deconvolution" -> convolution(n, true);
            case "BatchNorm" -> batchNorm(n);
            case "Activation" -> activation(n);
            case "LeakyReLU" -> leakyRelu(n);
            case "Pooling" -> pooling(n);
            case "FullyConnected" -> fullyConnected(n);
            case "Flatten", "flatten" -> n.add(new Reshape(true), null, n.input(0), n.constant("shape", Tensor.vector(0, -1)));
            case "Concat", "concat" -> concat(n);
            case "add_n", "ElementWiseSum" -> addN(n);
            case "SoftmaxOutput", "softmax", "SoftmaxActivation" -> softmax(n);
            case "Reshape", "reshape" -> reshape(n);
            case "transpose" -> transpose(n);
            case "L2Normalization" -> l2Normalization(n);
            case "clip" -> n.add(new Clamp(n.number("a_min", Double.NEGATIVE_INFINITY), n.number("a_max", Double.POSITIVE_INFINITY)),
                    null, n.input(0));
            default -> throw new UnsupportedModelException("MXNet node '" + n.name() + "' has op " + op
                    + ", which Infero does not support");
        });
    }

    private static Value scalar(MxnetNode n) {
        Value x = n.input(0);
        Value s = n.constant("scalar", Tensor.scalar((float) n.number("scalar", Double.NaN)));
        if (Double.isNaN(n.number("scalar", Double.NaN))) {
            throw n.error("has no scalar attribute");
        }
        String op = n.op().toLowerCase(java.util.Locale.ROOT).replace("scalar", "_scalar").replace("__", "_");
        return switch (op) {
            case "_plus_scalar" -> n.add(new Add(), null, x, s);
            case "_minus_scalar" -> n.add(new Subtract(), null, x, s);
            case "_rminus_scalar" -> n.add(new Subtract(), null, s, x);
            case "_mul_scalar" -> n.add(new Multiply(), null, x, s);
            case "_div_scalar" -> n.add(new Divide(), null, x, s);
            case "_rdiv_scalar" -> n.add(new Divide(), null, s, x);
            case "_power_scalar" -> n.add(new Power(), null, x, s);
            case "_maximum_scalar" -> n.add(new Maximum(), null, x, s);
            case "_minimum_scalar" -> n.add(new Minimum(), null, x, s);
            default -> throw n.error("is not a scalar op Infero knows");
        };
    }

    /** One value per spatial dimension from a tuple attribute (a single value applies to all). */
    private static long[] spatial(MxnetNode n, String attr, int count, long fallback) {
        long[] fb = new long[count];
        Arrays.fill(fb, fallback);
        long[] v = n.tuple(attr, fb);
        if (v.length == 1 && count > 1) {
            long[] all = new long[count];
            Arrays.fill(all, v[0]);
            return all;
        }
        if (v.length != count) {
            throw n.error("attribute " + attr + " has " + v.length + " values for " + count + " spatial dimensions");
        }
        return v;
    }

    private static void requireLayout(MxnetNode n) {
        String layout = n.string("layout", "None");
        if (!layout.equals("None") && !layout.startsWith("NC")) {
            throw new UnsupportedModelException("MXNet " + n.op() + " node '" + n.name() + "' uses layout " + layout
                    + "; Infero reads channels-first (NCHW) MXNet models");
        }
    }

    private static Value convolution(MxnetNode n, boolean transposed) {
        requireLayout(n);
        Tensor w = n.constantWeight(1);
        int spatial = w.rank() - 2;
        if (spatial < 1) {
            throw n.error("weight of shape " + Arrays.toString(w.shape()) + " has no spatial dimensions");
        }
        long[] kernel = n.tuple("kernel", null);
        if (kernel != null && kernel.length != spatial) {
            throw n.error("kernel " + Arrays.toString(kernel) + " does not match the weight " + Arrays.toString(w.shape()));
        }
        for (int i = 0; kernel != null && i < spatial; i++) {
            if (kernel[i] != w.dim(2 + i)) {
                throw n.error("kernel " + Arrays.toString(kernel) + " does not match the weight " + Arrays.toString(w.shape()));
            }
        }
        long[] strides = spatial(n, "stride", spatial, 1);
        long[] dilations = spatial(n, "dilate", spatial, 1);
        long[] pads = spatial(n, "pad", spatial, 0);
        int groups = (int) n.integer("num_group", 1);
        long numFilter = n.integer("num_filter", -1);
        int outChannels = transposed ? w.dim(1) * groups : w.dim(0);
        if (numFilter >= 0 && numFilter != outChannels) {
            throw n.error("num_filter " + numFilter + " does not match the weight " + Arrays.toString(w.shape()));
        }
        if (groups < 1 || w.dim(0) % groups != 0) {
            throw n.error("num_group " + groups + " does not divide the weight " + Arrays.toString(w.shape()));
        }
        WindowGeometry window = new WindowGeometry(strides, dilations, pads, pads, AutoPad.EXPLICIT, false);
        Value x = n.input(0);
        Value y;
        if (transposed) {
            if (n.has("target_shape") && n.tuple("target_shape", new long[0]).length > 0) {
                throw new UnsupportedModelException("MXNet Deconvolution node '" + n.name()
                        + "' sets target_shape, which Infero does not support");
            }
            long[] adj = spatial(n, "adj", spatial, 0);
            if (groups == 1) {
                y = n.add(new ConvolutionBackpropData(window, adj), null, x, n.weight(1));
            } else {
                y = n.add(new GroupConvolutionBackpropData(window, adj), null, x, n.constant("grouped_weight", grouped(w, groups)));
            }
        } else if (groups == 1) {
            y = n.add(new Convolution(window), null, x, n.weight(1));
        } else {
            y = n.add(new GroupConvolution(window), null, x, n.constant("grouped_weight", grouped(w, groups)));
        }
        if (!n.bool("no_bias", false)) {
            Tensor b = n.constantWeight(2);
            int[] shape = new int[spatial + 1];
            Arrays.fill(shape, 1);
            shape[0] = b.size();
            y = n.add(new Add(), "bias", y, n.constant("bias", b.reshape(shape)));
        }
        return y;
    }

    /** [A, B, k...] → [G, A/G, B, k...]. */
    private static Tensor grouped(Tensor w, int groups) {
        int[] s = w.shape();
        int[] g = new int[s.length + 1];
        g[0] = groups;
        g[1] = s[0] / groups;
        System.arraycopy(s, 1, g, 2, s.length - 1);
        return w.reshape(g);
    }

    /**
     * BatchNorm at inference: the moving mean and variance; {@code fix_gamma} (default true) ignores the stored gamma
     * (uses 1), as MXNet does; eps defaults to 1e-3; channels on {@code axis} (1).
     */
    private static Value batchNorm(MxnetNode n) {
        if (n.integer("axis", 1) != 1) {
            throw new UnsupportedModelException("MXNet BatchNorm node '" + n.name() + "' normalises axis "
                    + n.integer("axis", 1) + "; Infero supports channels on axis 1");
        }
        Value gamma = n.weight(1);
        if (n.bool("fix_gamma", true)) {
            Tensor g = gamma.isKnown() ? gamma.knownValue() : null;
            int c = g != null ? g.size() : n.dim(0, 1);
            float[] ones = new float[c];
            Arrays.fill(ones, 1);
            gamma = n.constant("gamma_fixed", Tensor.of(ones, c));
        }
        return n.add(new BatchNormInference(n.number("eps", 1e-3)), null, n.input(0), gamma, n.weight(2), n.weight(3),
                n.weight(4));
    }

    private static Value activation(MxnetNode n) {
        String type = n.string("act_type", "");
        return switch (type) {
            case "relu" -> n.add(new Relu(), null, n.input(0));
            case "sigmoid" -> n.add(new Sigmoid(), null, n.input(0));
            case "tanh" -> n.add(new Tanh(), null, n.input(0));
            case "softrelu" -> n.add(new SoftPlus(), null, n.input(0));
            case "softsign" -> n.add(new SoftSign(), null, n.input(0));
            default -> throw new UnsupportedModelException("MXNet Activation node '" + n.name() + "' has act_type '" + type
                    + "', which Infero does not support");
        };
    }

    private static Value leakyRelu(MxnetNode n) {
        String type = n.string("act_type", "leaky");
        double slope = n.number("slope", 0.25);
        return switch (type) {
            case "leaky" -> n.add(new PRelu(), null, n.input(0), n.constant("slope", Tensor.scalar((float) slope)));
            case "rrelu" -> n.add(new PRelu(), null, n.input(0), n.constant("slope",
                    Tensor.scalar((float) ((n.number("lower_bound", 0.125) + n.number("upper_bound", 0.334)) / 2))));
            case "prelu" -> {
                Tensor g = n.constantWeight(1);
                int rank = n.rank(0);
                Tensor slopeT;
                if (g.size() == 1) {
                    slopeT = g.reshape();
                } else {
                    int[] shape = new int[Math.max(rank - 1, 1)];
                    Arrays.fill(shape, 1);
                    shape[0] = g.size();
                    slopeT = g.reshape(shape);
                }
                yield n.add(new PRelu(), null, n.input(0), n.constant("gamma", slopeT));
            }
            case "elu" -> n.add(new Elu(slope), null, n.input(0));
            case "selu" -> {
                Value e = n.add(new Elu(1.6732632423543772), "elu", n.input(0));
                yield n.add(new Multiply(), null, e, n.constant("lambda", Tensor.scalar(1.0507009873554805f)));
            }
            case "gelu" -> n.add(new Gelu(Gelu.Approximation.ERF), null, n.input(0));
            default -> throw new UnsupportedModelException("MXNet LeakyReLU node '" + n.name() + "' has act_type '" + type
                    + "', which Infero does not support");
        };
    }

    /**
     * Pooling: {@code valid} rounds the output size down, {@code full} up (ceil; a last window starting past the
     * padding is dropped, as Caffe does), {@code same} pads like TensorFlow's SAME. {@code avg} divides by the window
     * clipped to the padded input ({@code count_include_pad}, the default) or by the values covered.
     */
    private static Value pooling(MxnetNode n) {
        requireLayout(n);
        String type = n.string("pool_type", "max");
        if (!type.equals("max") && !type.equals("avg")) {
            throw new UnsupportedModelException("MXNet Pooling node '" + n.name() + "' has pool_type '" + type
                    + "', which Infero does not support");
        }
        boolean max = type.equals("max");
        int rank = n.rank(0);
        int spatial = rank - 2;
        if (n.bool("global_pool", false)) {
            Value axes = n.constant("axes", Tensor.vector(LongStream.range(2, rank).toArray()));
            return max ? n.add(new ReduceMax(true), null, n.input(0), axes) : n.add(new ReduceMean(true), null, n.input(0), axes);
        }
        long[] kernel = n.tuple("kernel", null);
        if (kernel == null || kernel.length != spatial) {
            throw n.error("kernel " + (kernel == null ? "is missing" : Arrays.toString(kernel) + " does not fit the "
                    + rank + "-D input"));
        }
        long[] strides = spatial(n, "stride", spatial, 1);
        long[] pads = spatial(n, "pad", spatial, 0);
        String convention = n.string("pooling_convention", "valid");
        AutoPad autoPad = switch (convention) {
            case "valid", "full" -> AutoPad.EXPLICIT;
            case "same" -> AutoPad.SAME_UPPER;
            default -> throw n.error("pooling_convention '" + convention + "' is not valid, full or same");
        };
        long[] ones = new long[spatial];
        Arrays.fill(ones, 1);
        WindowGeometry window = new WindowGeometry(strides, ones, pads, pads, autoPad, convention.equals("full"));
        if (max) {
            return n.add(new MaxPool(kernel, window, false), null, n.input(0));
        }
        return n.add(new AvgPool(kernel, window, !n.bool("count_include_pad", true)), null, n.input(0));
    }

    /** y = x·Wᵀ + b with W [num_hidden, K]; {@code flatten} (default) first makes x [N, K], else applies to the last axis. */
    private static Value fullyConnected(MxnetNode n) {
        Value x = n.input(0);
        Tensor w = n.constantWeight(1);
        if (w.rank() != 2) {
            throw n.error("weight of shape " + Arrays.toString(w.shape()) + " is not 2-D");
        }
        long hidden = n.integer("num_hidden", w.dim(0));
        if (hidden != w.dim(0)) {
            throw n.error("num_hidden " + hidden + " does not match the weight " + Arrays.toString(w.shape()));
        }
        if (n.bool("flatten", true) && (!x.shape().hasRank() || x.shape().rank() != 2)) {
            x = n.add(new Reshape(true), "flatten", x, n.constant("flatten_shape", Tensor.vector(0, -1)));
        }
        Value y = n.add(new MatMul(false, true), null, x, n.weight(1));
        if (!n.bool("no_bias", false)) {
            y = n.add(new Add(), "bias", y, n.weight(2));
        }
        return y;
    }

    private static Value concat(MxnetNode n) {
        long dim = n.integer("dim", n.integer("axis", 1));
        List<Value> in = new ArrayList<>();
        for (int i = 0; i < n.inputCount(); i++) {
            in.add(n.input(i));
        }
        if (in.size() == 1) {
            return in.get(0);
        }
        return n.graph().add(new Concat(dim), n.name(), in).output(0);
    }

    private static Value addN(MxnetNode n) {
        Value y = n.input(0);
        for (int i = 1; i < n.inputCount(); i++) {
            y = n.add(new Add(), i == n.inputCount() - 1 ? null : "sum" + i, y, n.input(i));
        }
        return y;
    }

    /**
     * SoftmaxOutput at inference is a softmax over axis 1 ({@code multi_output}, or 2-D data), or over everything but
     * the batch ({@code preserve_shape} false, the default, flattens the rest); its label input is never read.
     * {@code softmax} has an {@code axis} (default -1) and {@code temperature}; SoftmaxActivation's mode is
     * {@code instance} (all but the batch) or {@code channel} (axis 1).
     */
    private static Value softmax(MxnetNode n) {
        Value x = n.input(0);
        switch (n.op()) {
            case "softmax" -> {
                double t = n.number("temperature", 1);
                if (t != 1) {
                    x = n.add(new Divide(), "temperature", x, n.constant("temperature", Tensor.scalar((float) t)));
                }
                return n.add(new Softmax(n.integer("axis", -1)), null, x);
            }
            case "SoftmaxActivation" -> {
                if (n.string("mode", "instance").equals("channel")) {
                    return n.add(new Softmax(1), null, x);
                }
                return flatSoftmax(n, x);
            }
            default -> {
                if (n.bool("multi_output", false)) {
                    return n.add(new Softmax(1), null, x);
                }
                if (n.bool("preserve_shape", false)) {
                    return n.add(new Softmax(-1), null, x);
                }
                return flatSoftmax(n, x);
            }
        }
    }

    private static Value flatSoftmax(MxnetNode n, Value x) {
        if (x.shape().hasRank() && x.shape().rank() == 2) {
            return n.add(new Softmax(1), null, x);
        }
        if (!x.shape().isStatic()) {
            throw n.error("needs a static input shape to softmax over all but the batch, got " + x.shape());
        }
        Value flat = n.add(new Reshape(true), "flatten", x, n.constant("flatten_shape", Tensor.vector(0, -1)));
        Value s = n.add(new Softmax(1), "softmax", flat);
        long[] back = Arrays.stream(x.shape().toArray()).asLongStream().toArray();
        return n.add(new Reshape(false), null, s, n.constant("shape", Tensor.vector(back)));
    }

    /** MXNet's Reshape codes: 0 copy, -1 infer, -2 copy the rest, -3 merge two, -4 split one (with {@code reverse}). */
    private static Value reshape(MxnetNode n) {
        long[] spec = n.tuple("shape", null);
        if (spec == null) {
            spec = n.tuple("target_shape", null);
            if (spec == null) {
                throw n.error("has no shape");
            }
        }
        Value x = n.input(0);
        boolean simple = Arrays.stream(spec).allMatch(v -> v >= -1) && !n.bool("reverse", false);
        if (!x.shape().isStatic()) {
            if (!simple) {
                throw n.error("needs a static input shape for shape " + Arrays.toString(spec) + " (give the input shape)");
            }
            return n.add(new Reshape(true), null, x, n.constant("shape", Tensor.vector(spec)));
        }
        long[] in = Arrays.stream(x.shape().toArray()).asLongStream().toArray();
        long[] out = inferReshape(n, in, spec, n.bool("reverse", false));
        return n.add(new Reshape(false), null, x, n.constant("shape", Tensor.vector(out)));
    }

    static long[] inferReshape(MxnetNode n, long[] in, long[] spec, boolean reverse) {
        if (reverse) {
            long[] r = inferReshape(n, reversed(in), reversed(spec), false);
            return reversed(r);
        }
        List<Long> out = new ArrayList<>();
        int infer = -1;
        int i = 0;
        for (int j = 0; j < spec.length; j++) {
            long v = spec[j];
            if (v == 0) {
                out.add(at(n, in, i++));
            } else if (v == -1) {
                if (infer >= 0) {
                    throw n.error("shape " + Arrays.toString(spec) + " has more than one -1");
                }
                infer = out.size();
                out.add(-1L);
                i++;
            } else if (v == -2) {
                while (i < in.length) {
                    out.add(in[i++]);
                }
            } else if (v == -3) {
                out.add(at(n, in, i) * at(n, in, i + 1));
                i += 2;
            } else if (v == -4) {
                if (j + 2 >= spec.length) {
                    throw n.error("-4 in shape " + Arrays.toString(spec) + " needs two values after it");
                }
                long d = at(n, in, i++);
                long d1 = spec[++j];
                long d2 = spec[++j];
                if (d1 == -1) {
                    d1 = d / d2;
                }
                if (d2 == -1) {
                    d2 = d / d1;
                }
                if (d1 * d2 != d) {
                    throw n.error("-4 splits dimension " + d + " into " + d1 + " × " + d2);
                }
                out.add(d1);
                out.add(d2);
            } else if (v > 0) {
                out.add(v);
                i++;
            } else {
                throw n.error("shape " + Arrays.toString(spec) + " has the invalid code " + v);
            }
        }
        long total = Arrays.stream(in).reduce(1, (a, b) -> a * b);
        if (infer >= 0) {
            long known = 1;
            for (int k = 0; k < out.size(); k++) {
                if (k != infer) {
                    known *= out.get(k);
                }
            }
            if (known == 0 || total % known != 0) {
                throw n.error("cannot infer -1 in shape " + Arrays.toString(spec) + " for input " + Arrays.toString(in));
            }
            out.set(infer, total / known);
        }
        long[] r = out.stream().mapToLong(Long::longValue).toArray();
        if (Arrays.stream(r).reduce(1, (a, b) -> a * b) != total) {
            throw n.error("shape " + Arrays.toString(spec) + " gives " + Arrays.toString(r) + ", which does not hold the "
                    + total + " values of input " + Arrays.toString(in));
        }
        return r;
    }

    private static long at(MxnetNode n, long[] in, int i) {
        if (i >= in.length) {
            throw n.error("shape code refers to input dimension " + i + " of a " + in.length + "-D input");
        }
        return in[i];
    }

    private static long[] reversed(long[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }

    private static Value transpose(MxnetNode n) {
        int rank = n.rank(0);
        long[] axes = n.tuple("axes", null);
        if (axes == null || axes.length == 0) {
            axes = LongStream.range(0, rank).map(i -> rank - 1 - i).toArray();
        }
        return n.add(new Transpose(), null, n.input(0), n.constant("axes", Tensor.vector(axes)));
    }

    /** x / sqrt(Σx² + eps) over all but the batch ({@code instance}), the channels, or the spatial axes. */
    private static Value l2Normalization(MxnetNode n) {
        int rank = n.rank(0);
        String mode = n.string("mode", "instance");
        long[] axes = switch (mode) {
            case "instance" -> LongStream.range(1, rank).toArray();
            case "channel" -> new long[] {1};
            case "spatial" -> LongStream.range(2, rank).toArray();
            default -> throw n.error("mode '" + mode + "' is not instance, channel or spatial");
        };
        return n.add(new NormalizeL2(n.number("eps", 1e-10), true), null, n.input(0),
                n.constant("axes", Tensor.vector(axes)));
    }
}
