package dev.infero.onnx.ops;

import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Tanh;
import dev.infero.core.tensor.Tensor;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime's {@code com.microsoft} contrib operators that its transformer optimizer and quantizer write, each
 * decomposed into standard ONNX operators with the semantics of ONNX Runtime's contrib op documentation:
 * <ul>
 *   <li>fusions: {@code FusedConv} (Conv, optional sum input Z, then its {@code activation}), {@code FusedMatMul}
 *       ({@code alpha · op(A) · op(B)}), {@code Gelu}, {@code BiasGelu}, {@code FastGelu} (tanh approximation),
 *       {@code QuickGelu} ({@code x · sigmoid(alpha · x)}), {@code SkipLayerNormalization},
 *       {@code BiasAdd}, {@code BiasSoftmax}-free attention parts are not covered;</li>
 *   <li>QOperator quantized ops: {@code QLinearAdd}, {@code QLinearMul}, {@code QLinearSigmoid},
 *       {@code QLinearLeakyRelu}, {@code QLinearGlobalAveragePool}, {@code QLinearAveragePool}, {@code QLinearConcat},
 *       {@code QGemm}, and {@code QuantizeLinear}/{@code DequantizeLinear} in the contrib domain: dequantize, compute
 *       in float, quantize (round half to even, saturate), which is the reference semantics of each.</li>
 * </ul>
 */
public final class ContribOps {
    private ContribOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("Gelu", n -> List.of(n.call("Gelu", List.of(n.requireInput(0)))));
        r.put("BiasGelu", n -> List.of(n.call("Gelu", List.of(n.add(new Add(), n.requireInput(0), n.requireInput(1))))));
        r.put("FastGelu", ContribOps::fastGelu);
        r.put("QuickGelu", ContribOps::quickGelu);
        r.put("FusedConv", ContribOps::fusedConv);
        r.put("FusedMatMul", ContribOps::fusedMatMul);
        r.put("SkipLayerNormalization", ContribOps::skipLayerNormalization);
        r.put("BiasAdd", n -> List.of(n.add(new Add(), n.add(new Add(), n.requireInput(0), n.requireInput(1)),
                n.requireInput(2))));
        r.put("QuantizeLinear", n -> n.call("QuantizeLinear", n.inputs(), n.attributesExcept()));
        r.put("DequantizeLinear", n -> n.call("DequantizeLinear", n.inputs(), n.attributesExcept()));
        r.put("QLinearAdd", n -> binary(n, "Add"));
        r.put("QLinearMul", n -> binary(n, "Mul"));
        r.put("QLinearSigmoid", n -> unary(n, x -> n.call("Sigmoid", List.of(x))));
        r.put("QLinearLeakyRelu", n -> unary(n, x -> n.call("LeakyRelu", List.of(x), "alpha", n.attrFloat("alpha", 0.01f))));
        r.put("QLinearGlobalAveragePool", n -> unary(n, x -> channelsLast(n, x,
                y -> n.call("GlobalAveragePool", List.of(y)))));
        r.put("QLinearAveragePool", n -> unary(n, x -> channelsLast(n, x,
                y -> n.call("AveragePool", List.of(y), n.attributesExcept("channels_last")).get(0))));
        r.put("QLinearConcat", ContribOps::qLinearConcat);
        r.put("QGemm", ContribOps::qGemm);
    }

    /** {@code 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))} on {@code x + bias}. */
    private static List<Value> fastGelu(OnnxNode n) {
        Value x = n.hasInput(1) ? n.add(new Add(), n.requireInput(0), n.input(1)) : n.requireInput(0);
        Value cube = n.add(new Multiply(), n.add(new Multiply(), x, x), x);
        Value inner = n.add(new Add(), x, n.add(new Multiply(), cube, scalar(n, x, 0.044715f)));
        Value t = n.add(new Tanh(), n.add(new Multiply(), inner, scalar(n, x, (float) Math.sqrt(2 / Math.PI))));
        Value half = n.add(new Multiply(), x, scalar(n, x, 0.5f));
        return List.of(n.add(new Multiply(), half, n.add(new Add(), t, scalar(n, x, 1f))));
    }

    private static List<Value> quickGelu(OnnxNode n) {
        Value x = n.requireInput(0);
        Value s = n.call("Sigmoid", List.of(n.add(new Multiply(), x, scalar(n, x, n.attrFloat("alpha", 1.702f)))));
        return List.of(n.add(new Multiply(), x, s));
    }

    private static Value scalar(OnnxNode n, Value like, float v) {
        Tensor t = Tensor.scalar(v);
        return like.type() == t.type() ? n.constant(t) : n.call("Cast", List.of(n.constant(t)), "to",
                (long) dev.infero.onnx.TensorProtos.onnxType(like.type()));
    }

    /** Conv (with Z added) followed by the activation named in the {@code activation} attribute. */
    private static List<Value> fusedConv(OnnxNode n) {
        List<Value> convInputs = new ArrayList<>(n.inputs().subList(0, Math.min(3, n.inputCount())));
        Value y = n.call("Conv", convInputs, n.attributesExcept("activation", "activation_params")).get(0);
        if (n.hasInput(3)) {
            y = n.add(new Add(), y, n.input(3));
        }
        String activation = n.attrString("activation", "");
        float[] p = n.attrFloats("activation_params", new float[0]);
        Value in = y;
        return List.of(switch (activation) {
            case "" -> y;
            case "Relu", "Tanh", "Sigmoid" -> n.call(activation, List.of(in));
            case "LeakyRelu" -> n.call("LeakyRelu", List.of(in), "alpha", param(n, p, 0, 0.01f));
            case "HardSigmoid" -> n.call("HardSigmoid", List.of(in), "alpha", param(n, p, 0, 0.2f), "beta",
                    param(n, p, 1, 0.5f));
            case "Clip" -> n.call("Clip", Arrays.asList(in, n.constant(Tensor.scalar(param(n, p, 0, -Float.MAX_VALUE))),
                    n.constant(Tensor.scalar(param(n, p, 1, Float.MAX_VALUE)))));
            default -> throw n.error("activation '" + activation + "' is not one of Relu, Tanh, Sigmoid, LeakyRelu, "
                    + "HardSigmoid, Clip");
        });
    }

    private static float param(OnnxNode n, float[] params, int i, float defaultValue) {
        return i < params.length ? params[i] : defaultValue;
    }

    /** {@code alpha · op(A) · op(B)}; batch transposes (transBatchA/B) are not supported. */
    private static List<Value> fusedMatMul(OnnxNode n) {
        if (n.attrInt("transBatchA", 0) != 0 || n.attrInt("transBatchB", 0) != 0) {
            throw n.error("transBatchA/transBatchB are not supported");
        }
        Value a = transposeLast(n, n.requireInput(0), n.attrInt("transA", 0) != 0);
        Value b = transposeLast(n, n.requireInput(1), n.attrInt("transB", 0) != 0);
        Value y = n.call("MatMul", List.of(a, b));
        float alpha = n.attrFloat("alpha", 1f);
        return List.of(alpha == 1f ? y : n.add(new Multiply(), y, scalar(n, y, alpha)));
    }

    private static Value transposeLast(OnnxNode n, Value x, boolean transpose) {
        if (!transpose) {
            return x;
        }
        if (!x.shape().hasRank() || x.shape().rank() < 2) {
            throw n.error("transposes an input of unknown rank or rank below 2");
        }
        int rank = x.shape().rank();
        long[] perm = new long[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        perm[rank - 2] = rank - 1;
        perm[rank - 1] = rank - 2;
        return n.call("Transpose", List.of(x), "perm", perm);
    }

    /**
     * {@code LayerNorm(input + skip + bias)·gamma + beta} over the last axis; outputs: the result, then (optional)
     * mean and inverse standard deviation, and the sum {@code input + skip + bias}.
     */
    private static List<Value> skipLayerNormalization(OnnxNode n) {
        Value sum = n.add(new Add(), n.requireInput(0), n.requireInput(1));
        if (n.hasInput(4)) {
            sum = n.add(new Add(), sum, n.input(4));
        }
        List<Value> norm = n.call("LayerNormalization", Arrays.asList(sum, n.requireInput(2), n.input(3)),
                List.of(OnnxNode.attribute("axis", -1L), OnnxNode.attribute("epsilon",
                        n.attrFloat("epsilon", 1e-12f))));
        List<Value> outs = new ArrayList<>(List.of(norm.get(0)));
        if (n.outputCount() > 1) {
            outs.add(norm.size() > 1 ? norm.get(1) : null);
            outs.add(norm.size() > 2 ? norm.get(2) : null);
            outs.add(sum);
            for (int i = 1; i <= 2; i++) {
                if (n.hasOutput(i) && outs.get(i) == null) {
                    throw n.error("its mean and inverse standard deviation outputs are not supported");
                }
            }
        }
        return outs;
    }

    private static Value dequantize(OnnxNode n, int x, int scale, int zero) {
        return dequantize(n, x, scale, zero, 1);
    }

    private static Value dequantize(OnnxNode n, int x, int scale, int zero, long axis) {
        return n.call("DequantizeLinear", Arrays.asList(n.requireInput(x), n.requireInput(scale), n.input(zero)),
                List.of(OnnxNode.attribute("axis", axis))).get(0);
    }

    private static Value quantize(OnnxNode n, Value y, int scale, int zero, Value like) {
        Value zeroPoint = n.input(zero);
        if (zeroPoint == null) { // the output type follows the input's codes, as ONNX Runtime's kernels do
            zeroPoint = n.call("Cast", List.of(n.constant(Tensor.scalar(0f))), "to",
                    (long) dev.infero.onnx.TensorProtos.onnxType(like.type()));
        }
        return n.call("QuantizeLinear", Arrays.asList(y, n.requireInput(scale), zeroPoint));
    }

    /** {@code QLinearAdd/Mul(A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale, C_zero_point)}. */
    private static List<Value> binary(OnnxNode n, String op) {
        Value y = n.call(op, List.of(dequantize(n, 0, 1, 2), dequantize(n, 3, 4, 5)));
        return List.of(quantize(n, y, 6, 7, n.requireInput(0)));
    }

    /** Unary QLinear ops: {@code (X, X_scale, X_zero_point, Y_scale, Y_zero_point)}. */
    private static List<Value> unary(OnnxNode n, java.util.function.UnaryOperator<Value> f) {
        return List.of(quantize(n, f.apply(dequantize(n, 0, 1, 2)), 3, 4, n.requireInput(0)));
    }

    /** Pooling on NHWC data when {@code channels_last} is set: transposed to NCHW and back. */
    private static Value channelsLast(OnnxNode n, Value x, java.util.function.UnaryOperator<Value> pool) {
        if (n.attrInt("channels_last", 0) == 0) {
            return pool.apply(x);
        }
        if (!x.shape().hasRank()) {
            throw n.error("channels_last needs an input of known rank");
        }
        int rank = x.shape().rank();
        long[] toFirst = new long[rank];
        long[] toLast = new long[rank];
        toFirst[0] = 0;
        toFirst[1] = rank - 1;
        toLast[0] = 0;
        toLast[rank - 1] = 1;
        for (int i = 2; i < rank; i++) {
            toFirst[i] = i - 1;
            toLast[i - 1] = i;
        }
        Value y = pool.apply(n.call("Transpose", List.of(x), "perm", toFirst));
        return n.call("Transpose", List.of(y), "perm", toLast);
    }

    /** {@code QLinearConcat(Y_scale, Y_zero_point, X0, X0_scale, X0_zero_point, X1, ...)}. */
    private static List<Value> qLinearConcat(OnnxNode n) {
        if (n.inputCount() < 5 || (n.inputCount() - 2) % 3 != 0) {
            throw n.error("takes Y_scale, Y_zero_point and triples of (X, X_scale, X_zero_point); got "
                    + n.inputCount() + " inputs");
        }
        List<Value> parts = new ArrayList<>();
        for (int i = 2; i < n.inputCount(); i += 3) {
            parts.add(dequantize(n, i, i + 1, i + 2));
        }
        Value y = n.call("Concat", parts, "axis", n.attrInt("axis", 0));
        return List.of(quantize(n, y, 0, 1, n.requireInput(2)));
    }

    /**
     * {@code QGemm(A, a_scale, a_zero_point, B, b_scale, b_zero_point, C, y_scale, y_zero_point)}: C is int32 with
     * scale {@code alpha·a_scale·b_scale} and zero point 0; without {@code y_scale} the output is float.
     */
    private static List<Value> qGemm(OnnxNode n) {
        Value a = dequantize(n, 0, 1, 2);
        // A per-column b_scale runs along N: axis 1 of B, or 0 when B is stored transposed.
        Value b = dequantize(n, 3, 4, 5, n.attrInt("transB", 0) != 0 ? 0 : 1);
        Value y = n.call("Gemm", Arrays.asList(a, b), List.of(OnnxNode.attribute("transA", n.attrInt("transA", 0)),
                OnnxNode.attribute("transB", n.attrInt("transB", 0)), OnnxNode.attribute("alpha", n.attrFloat("alpha", 1f)))).get(0);
        if (n.hasInput(6)) {
            Value cScale = n.add(new Multiply(), n.add(new Multiply(), n.requireInput(1), n.requireInput(4)),
                    scalar(n, n.requireInput(1), n.attrFloat("alpha", 1f)));
            Value c = n.add(new Multiply(), n.add(new Convert(cScale.type()), n.input(6)), cScale);
            y = n.add(new Add(), y, c);
        }
        return List.of(n.hasInput(7) ? quantize(n, y, 7, 8, n.requireInput(0)) : y);
    }
}
