package dev.infero.onnx.ops;

import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.activation.Elu;
import dev.infero.core.ops.activation.Gelu;
import dev.infero.core.ops.activation.HSwish;
import dev.infero.core.ops.activation.Mish;
import dev.infero.core.ops.activation.PRelu;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.activation.SoftPlus;
import dev.infero.core.ops.activation.SoftSign;
import dev.infero.core.ops.eltwise.Abs;
import dev.infero.core.ops.eltwise.Acos;
import dev.infero.core.ops.eltwise.Acosh;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Asin;
import dev.infero.core.ops.eltwise.Asinh;
import dev.infero.core.ops.eltwise.Atan;
import dev.infero.core.ops.eltwise.Atanh;
import dev.infero.core.ops.eltwise.Ceiling;
import dev.infero.core.ops.eltwise.BitCast;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Cos;
import dev.infero.core.ops.eltwise.Cosh;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Erf;
import dev.infero.core.ops.eltwise.Exp;
import dev.infero.core.ops.eltwise.Floor;
import dev.infero.core.ops.eltwise.FloorMod;
import dev.infero.core.ops.eltwise.Log;
import dev.infero.core.ops.eltwise.Maximum;
import dev.infero.core.ops.eltwise.Minimum;
import dev.infero.core.ops.eltwise.Mod;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Negative;
import dev.infero.core.ops.eltwise.Power;
import dev.infero.core.ops.eltwise.Round;
import dev.infero.core.ops.eltwise.Select;
import dev.infero.core.ops.eltwise.Sign;
import dev.infero.core.ops.eltwise.Sin;
import dev.infero.core.ops.eltwise.Sinh;
import dev.infero.core.ops.eltwise.Sqrt;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.eltwise.Tan;
import dev.infero.core.ops.eltwise.Tanh;
import dev.infero.core.ops.logical.BitwiseAnd;
import dev.infero.core.ops.logical.BitwiseLeftShift;
import dev.infero.core.ops.logical.BitwiseNot;
import dev.infero.core.ops.logical.BitwiseOr;
import dev.infero.core.ops.logical.BitwiseRightShift;
import dev.infero.core.ops.logical.BitwiseXor;
import dev.infero.core.ops.logical.Equal;
import dev.infero.core.ops.logical.Greater;
import dev.infero.core.ops.logical.GreaterEqual;
import dev.infero.core.ops.logical.IsInf;
import dev.infero.core.ops.logical.IsNaN;
import dev.infero.core.ops.logical.Less;
import dev.infero.core.ops.logical.LessEqual;
import dev.infero.core.ops.logical.LogicalAnd;
import dev.infero.core.ops.logical.LogicalNot;
import dev.infero.core.ops.logical.LogicalOr;
import dev.infero.core.ops.logical.LogicalXor;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.E8M0;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import dev.infero.onnx.TensorProtos;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Element-wise arithmetic, activations, comparisons and logic. ONNX broadcasting (opset 7+) is numpy's, which is
 * every core op's {@code auto_broadcast="numpy"}. Activations OpenVINO has no op for are decomposed: HardSigmoid,
 * Selu, Celu, ThresholdedRelu, Shrink, Reciprocal, Mean; LeakyRelu is PRelu with a scalar slope, as in OpenVINO.
 */
public final class ElementwiseOps {
    /** ONNX Selu defaults: the constants of the self-normalizing network paper, as float32. */
    private static final float SELU_ALPHA = 1.67326319217681884765625f;
    private static final float SELU_GAMMA = 1.05070102214813232421875f;

    private ElementwiseOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("Add", binary(Add::new));
        r.put("Sub", binary(Subtract::new));
        r.put("Mul", binary(Multiply::new));
        r.put("Div", binary(Divide::new));
        r.put("Pow", ElementwiseOps::pow);
        r.put("Mod", n -> List.of(n.add(n.attrInt("fmod", 0) != 0 ? new Mod() : new FloorMod(),
                n.requireInput(0), n.requireInput(1))));
        r.put("Max", variadic(Maximum::new));
        r.put("Min", variadic(Minimum::new));
        r.put("Sum", variadic(Add::new));
        r.put("Mean", ElementwiseOps::mean);

        r.put("Equal", binary(Equal::new));
        r.put("Less", binary(Less::new));
        r.put("Greater", binary(Greater::new));
        r.put("LessOrEqual", binary(LessEqual::new));
        r.put("GreaterOrEqual", binary(GreaterEqual::new));
        r.put("And", binary(LogicalAnd::new));
        r.put("Or", binary(LogicalOr::new));
        r.put("Xor", binary(LogicalXor::new));
        r.put("Not", unary(LogicalNot::new));
        r.put("BitwiseAnd", binary(BitwiseAnd::new));
        r.put("BitwiseOr", binary(BitwiseOr::new));
        r.put("BitwiseXor", binary(BitwiseXor::new));
        r.put("BitwiseNot", unary(BitwiseNot::new));
        r.put("BitShift", ElementwiseOps::bitShift);
        r.put("IsNaN", unary(IsNaN::new));
        r.put("IsInf", n -> List.of(n.add(new IsInf(n.attrInt("detect_negative", 1) != 0,
                n.attrInt("detect_positive", 1) != 0), n.requireInput(0))));
        r.put("Where", n -> List.of(n.add(new Select(), n.requireInput(0), n.requireInput(1), n.requireInput(2))));
        r.put("Cast", n -> List.of(n.add(new Convert(TensorProtos.elementType((int) n.attrInt("to", 0),
                "Cast target"), n.attrInt("saturate", 1) != 0, roundMode(n)), n.requireInput(0))));
        r.put("BitCast", n -> List.of(n.add(new BitCast(TensorProtos.elementType((int) n.attrInt("to", 0),
                "BitCast target")), n.requireInput(0))));
        r.put("CastLike", n -> List.of(n.add(new Convert(n.requireInput(1).type(), n.attrInt("saturate", 1) != 0,
                roundMode(n)), n.requireInput(0))));

        r.put("Abs", unary(Abs::new));
        r.put("Neg", unary(Negative::new));
        r.put("Sign", unary(Sign::new));
        r.put("Floor", unary(Floor::new));
        r.put("Ceil", unary(Ceiling::new));
        r.put("Round", unary(() -> new Round(Round.Mode.HALF_TO_EVEN)));
        r.put("Exp", unary(Exp::new));
        r.put("Log", unary(Log::new));
        r.put("Sqrt", unary(Sqrt::new));
        r.put("Reciprocal", n -> List.of(n.add(new Divide(), scalar(n, 1), n.requireInput(0))));
        r.put("Erf", unary(Erf::new));
        r.put("Sin", unary(Sin::new));
        r.put("Cos", unary(Cos::new));
        r.put("Tan", unary(Tan::new));
        r.put("Asin", unary(Asin::new));
        r.put("Acos", unary(Acos::new));
        r.put("Atan", unary(Atan::new));
        r.put("Sinh", unary(Sinh::new));
        r.put("Cosh", unary(Cosh::new));
        r.put("Asinh", unary(Asinh::new));
        r.put("Acosh", unary(Acosh::new));
        r.put("Atanh", unary(Atanh::new));
        r.put("Tanh", unary(Tanh::new));

        r.put("Relu", unary(Relu::new));
        r.put("Sigmoid", unary(Sigmoid::new));
        r.put("LeakyRelu", n -> List.of(n.add(new PRelu(), n.requireInput(0), scalar(n, n.attrFloat("alpha", 0.01f)))));
        r.put("PRelu", n -> List.of(n.add(new PRelu(), n.requireInput(0), n.requireInput(1))));
        r.put("Clip", ElementwiseOps::clip);
        r.put("Elu", n -> List.of(n.add(new Elu(n.attrFloat("alpha", 1f)), n.requireInput(0))));
        r.put("Selu", ElementwiseOps::selu);
        r.put("Celu", ElementwiseOps::celu);
        r.put("HardSigmoid", ElementwiseOps::hardSigmoid);
        r.put("HardSwish", unary(HSwish::new));
        r.put("Softplus", unary(SoftPlus::new));
        r.put("Softsign", unary(SoftSign::new));
        r.put("Mish", unary(Mish::new));
        r.put("Gelu", ElementwiseOps::gelu);
        r.put("ThresholdedRelu", ElementwiseOps::thresholdedRelu);
        r.put("Shrink", ElementwiseOps::shrink);
    }

    /** Cast-24's {@code round_mode} (for float8e8m0 targets): up (default), down or nearest. */
    private static E8M0.Rounding roundMode(OnnxNode n) {
        return n.attrChoice("round_mode", "up", Map.of("up", E8M0.Rounding.UP, "down", E8M0.Rounding.DOWN,
                "nearest", E8M0.Rounding.NEAREST));
    }

    static OnnxTranslator unary(Supplier<Op> op) {
        return n -> List.of(n.add(op.get(), n.requireInput(0)));
    }

    static OnnxTranslator binary(Supplier<Op> op) {
        return n -> {
            if (n.opset() < 7 && n.attrInt("broadcast", 0) != 0 && n.has("axis")) {
                throw n.error("legacy broadcast with an axis (opset < 7) is not supported");
            }
            return List.of(n.add(op.get(), n.requireInput(0), n.requireInput(1)));
        };
    }

    /** Max/Min/Sum-style ops over any number of inputs: a left fold of the binary op (broadcasting as it goes). */
    static OnnxTranslator variadic(Supplier<Op> op) {
        return n -> List.of(fold(n, op));
    }

    private static Value fold(OnnxNode n, Supplier<Op> op) {
        Value acc = n.requireInput(0);
        for (int i = 1; i < n.inputCount(); i++) {
            acc = n.add(op.get(), acc, n.requireInput(i));
        }
        return acc;
    }

    /** A scalar constant of input 0's element type. */
    private static Value scalar(OnnxNode n, double value) {
        Tensor t = Tensor.allocate(n.requireInput(0).type());
        t.setDouble(0, value);
        return n.constant(t);
    }

    private static List<Value> mean(OnnxNode n) {
        Value sum = fold(n, Add::new);
        return List.of(n.inputCount() == 1 ? sum : n.add(new Divide(), sum, scalar(n, n.inputCount())));
    }

    /** ONNX lets the exponent have another numeric type than the base (opset 12+); Power needs one type: the base's. */
    private static List<Value> pow(OnnxNode n) {
        Value base = n.requireInput(0);
        Value exponent = n.requireInput(1);
        if (exponent.type() != base.type()) {
            exponent = n.add(new Convert(base.type()), exponent);
        }
        return List.of(n.add(new Power(), base, exponent));
    }

    private static List<Value> bitShift(OnnxNode n) {
        Supplier<Op> op = n.attrChoice("direction", "", Map.<String, Supplier<Op>>of("LEFT", BitwiseLeftShift::new,
                "RIGHT", BitwiseRightShift::new));
        return List.of(n.add(op.get(), n.requireInput(0), n.requireInput(1)));
    }

    /**
     * Clip: bounds are attributes before opset 11 and optional inputs since. Known bounds become one Clamp (an absent
     * bound is infinite); bounds only known at run time become Maximum/Minimum, applied in ONNX's order (lower bound
     * first, so that min &gt; max yields max).
     */
    private static List<Value> clip(OnnxNode n) {
        Value x = n.requireInput(0);
        double lower = Double.NEGATIVE_INFINITY;
        double upper = Double.POSITIVE_INFINITY;
        Value dynamicLower = null;
        Value dynamicUpper = null;
        if (n.opset() < 11) {
            lower = n.attrFloat("min", Float.NEGATIVE_INFINITY);
            upper = n.attrFloat("max", Float.POSITIVE_INFINITY);
        } else {
            if (n.hasInput(1)) {
                Tensor min = n.input(1).knownValue();
                if (min == null) {
                    dynamicLower = n.input(1);
                } else {
                    lower = bound(n, min, "min");
                }
            }
            if (n.hasInput(2)) {
                Tensor max = n.input(2).knownValue();
                if (max == null) {
                    dynamicUpper = n.input(2);
                } else {
                    upper = bound(n, max, "max");
                }
            }
        }
        Value y = x;
        if (dynamicLower != null) {
            y = n.add(new Maximum(), y, dynamicLower);
        }
        if (lower != Double.NEGATIVE_INFINITY || upper != Double.POSITIVE_INFINITY) {
            y = n.add(new Clamp(lower, upper), y);
        }
        if (dynamicUpper != null) {
            y = n.add(new Minimum(), y, dynamicUpper);
        }
        return List.of(y);
    }

    private static double bound(OnnxNode n, Tensor t, String what) {
        if (t.size() != 1) {
            throw n.error(what + " must be a scalar, got " + t.describe());
        }
        return t.getDouble(0);
    }

    /** Selu = gamma * Elu(x, alpha). */
    private static List<Value> selu(OnnxNode n) {
        Value elu = n.add(new Elu(n.attrFloat("alpha", SELU_ALPHA)), n.requireInput(0));
        return List.of(n.add(new Multiply(), elu, scalar(n, n.attrFloat("gamma", SELU_GAMMA))));
    }

    /** Celu(x, alpha) = max(0, x) + min(0, alpha (e^(x/alpha) - 1)) = alpha * Elu(x / alpha, 1). */
    private static List<Value> celu(OnnxNode n) {
        float alpha = n.attrFloat("alpha", 1f);
        Value x = n.requireInput(0);
        if (alpha == 1f) {
            return List.of(n.add(new Elu(1), x));
        }
        Value elu = n.add(new Elu(1), n.add(new Divide(), x, scalar(n, alpha)));
        return List.of(n.add(new Multiply(), elu, scalar(n, alpha)));
    }

    /** HardSigmoid = clamp(alpha x + beta, 0, 1). */
    private static List<Value> hardSigmoid(OnnxNode n) {
        Value scaled = n.add(new Multiply(), n.requireInput(0), scalar(n, n.attrFloat("alpha", 0.2f)));
        Value shifted = n.add(new Add(), scaled, scalar(n, n.attrFloat("beta", 0.5f)));
        return List.of(n.add(new Clamp(0, 1), shifted));
    }

    /** Gelu (opset 20): {@code approximate} is "none" (exact erf form) or "tanh". */
    private static List<Value> gelu(OnnxNode n) {
        Gelu.Approximation mode = n.attrChoice("approximate", "none", Map.of("none", Gelu.Approximation.ERF,
                "tanh", Gelu.Approximation.TANH));
        return List.of(n.add(new Gelu(mode), n.requireInput(0)));
    }

    /** ThresholdedRelu = x > alpha ? x : 0. */
    private static List<Value> thresholdedRelu(OnnxNode n) {
        Value x = n.requireInput(0);
        Value above = n.add(new Greater(), x, scalar(n, n.attrFloat("alpha", 1f)));
        return List.of(n.add(new Select(), above, x, scalar(n, 0)));
    }

    /** Shrink = x < -lambd ? x + bias : (x > lambd ? x - bias : 0), for any numeric type. */
    private static List<Value> shrink(OnnxNode n) {
        Value x = n.requireInput(0);
        float lambd = n.attrFloat("lambd", 0.5f);
        Value bias = scalar(n, n.attrFloat("bias", 0f));
        Value zero = scalar(n, 0);
        Value high = n.add(new Select(), n.add(new Greater(), x, scalar(n, lambd)), n.add(new Subtract(), x, bias),
                zero);
        return List.of(n.add(new Select(), n.add(new Less(), x, scalar(n, -lambd)), n.add(new Add(), x, bias),
                high));
    }
}
