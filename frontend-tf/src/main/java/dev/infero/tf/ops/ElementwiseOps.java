package dev.infero.tf.ops;

import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.activation.Elu;
import dev.infero.core.ops.activation.PRelu;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.activation.SoftPlus;
import dev.infero.core.ops.activation.SoftSign;
import dev.infero.core.ops.eltwise.Abs;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Ceiling;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Erf;
import dev.infero.core.ops.eltwise.Exp;
import dev.infero.core.ops.eltwise.Floor;
import dev.infero.core.ops.eltwise.Log;
import dev.infero.core.ops.eltwise.Maximum;
import dev.infero.core.ops.eltwise.Minimum;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Negative;
import dev.infero.core.ops.eltwise.Power;
import dev.infero.core.ops.eltwise.Round;
import dev.infero.core.ops.eltwise.Sqrt;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.eltwise.Tanh;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.tf.TfNode;
import dev.infero.tf.TfTensors;
import dev.infero.tf.TfTranslator;
import dev.infero.tf.TfValue;
import dev.infero.tf.proto.Tf.DataType;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.LongStream;

/**
 * Element-wise ops. Unary ops keep their input's layout; binary ops work in NCHW when either operand is an NHWC
 * tensor held as NCHW, lining the other operand up with TensorFlow's broadcasting (trailing axes) first.
 */
public final class ElementwiseOps {
    private ElementwiseOps() {
    }

    public static void register(Map<String, TfTranslator> r) {
        unary(r, "Relu", Relu::new);
        unary(r, "Relu6", () -> new Clamp(0, 6));
        unary(r, "Elu", () -> new Elu(1));
        unary(r, "Sigmoid", Sigmoid::new);
        unary(r, "Tanh", Tanh::new);
        unary(r, "Softplus", SoftPlus::new);
        unary(r, "Softsign", SoftSign::new);
        unary(r, "Exp", Exp::new);
        unary(r, "Log", Log::new);
        unary(r, "Neg", Negative::new);
        unary(r, "Abs", Abs::new);
        unary(r, "Sqrt", Sqrt::new);
        unary(r, "Floor", Floor::new);
        unary(r, "Ceil", Ceiling::new);
        unary(r, "Erf", Erf::new);
        unary(r, "Round", () -> new Round(Round.Mode.HALF_TO_EVEN));
        r.put("Rsqrt", n -> same(n, n.add(new Power(), n.in(0).value(), scalar(n, n.in(0).value(), -0.5))));
        r.put("Reciprocal", n -> same(n, n.add(new Power(), n.in(0).value(), scalar(n, n.in(0).value(), -1))));
        r.put("Square", n -> same(n, n.add(new Multiply(), n.in(0).value(), n.in(0).value())));
        r.put("LeakyRelu", n -> same(n, n.add(new PRelu(), n.in(0).value(),
                scalar(n, n.in(0).value(), n.attrFloat("alpha", 0.2f)))));
        r.put("Cast", n -> same(n, n.add(new Convert(TfTensors.elementType(n.attrType("DstT", DataType.DT_FLOAT),
                "DstT of node '" + n.name() + "'")), n.in(0).value())));
        binary(r, "Add", Add::new);
        binary(r, "AddV2", Add::new);
        binary(r, "Sub", Subtract::new);
        binary(r, "Mul", Multiply::new);
        binary(r, "RealDiv", Divide::new);
        binary(r, "Maximum", Maximum::new);
        binary(r, "Minimum", Minimum::new);
        binary(r, "Pow", Power::new);
        r.put("Div", n -> {
            if (!n.in(0).value().type().isFloating()) {
                throw n.error("integer Div (rounding toward minus infinity) is not supported");
            }
            return binaryOp(n, new Divide());
        });
        r.put("SquaredDifference", n -> {
            List<TfValue> d = binaryOp(n, new Subtract());
            Value v = d.get(0).value();
            return List.of(new TfValue(n.add(new Multiply(), v, v), d.get(0).nchw(), false));
        });
        r.put("AddN", n -> {
            TfValue acc = n.in(0);
            for (int i = 1; i < n.inputCount(); i++) {
                acc = aligned(n, new Add(), acc, n.in(i));
            }
            return List.of(acc);
        });
    }

    private static void unary(Map<String, TfTranslator> r, String name, Supplier<Op> op) {
        r.put(name, n -> same(n, n.add(op.get(), n.in(0).value())));
    }

    private static void binary(Map<String, TfTranslator> r, String name, Supplier<Op> op) {
        r.put(name, n -> binaryOp(n, op.get()));
    }

    /** The result of a unary op, in its input's layout. */
    private static List<TfValue> same(TfNode n, Value y) {
        return List.of(new TfValue(y, n.in(0).nchw(), false));
    }

    /** A scalar of {@code value} in {@code like}'s element type. */
    static Value scalar(TfNode n, Value like, double value) {
        ElementType t = like.type();
        return n.constant(Tensor.scalar((float) value).convertTo(t.isFloating() ? t : ElementType.F32));
    }

    private static List<TfValue> binaryOp(TfNode n, Op op) {
        return List.of(aligned(n, op, n.in(0), n.in(1)));
    }

    /** {@code op(a, b)} with both operands brought to one layout. */
    static TfValue aligned(TfNode n, Op op, TfValue a, TfValue b) {
        if (!a.nchw() && !b.nchw()) {
            return TfValue.plain(n.add(op, a.value(), b.value()));
        }
        Value x = toNchw(n, a);
        Value y = toNchw(n, b);
        if (x == null || y == null) {
            return TfValue.plain(n.add(op, plain(n, a), plain(n, b)));
        }
        return TfValue.transposed(n.add(op, x, y));
    }

    private static Value plain(TfNode n, TfValue v) {
        return n.inputs().contains(v) ? n.plain(n.inputs().indexOf(v)) : v.nchw() ? n.transpose(v.value(), 0, 2, 3, 1)
                : v.value();
    }

    /**
     * {@code v} as an operand of an NCHW op that TensorFlow broadcasts against a 4-D NHWC tensor: rank 0 as is,
     * ranks 1–3 padded with leading 1s to 4-D and transposed (folded for constants); {@code null} when it cannot.
     */
    private static Value toNchw(TfNode n, TfValue v) {
        if (v.nchw()) {
            return v.value();
        }
        PartialShape s = v.value().shape();
        if (!s.hasRank() || s.rank() > 4) {
            return null;
        }
        if (s.rank() == 0) {
            return v.value();
        }
        Value x = v.value();
        if (s.rank() < 4) {
            long[] axes = LongStream.range(0, 4 - s.rank()).toArray();
            x = n.helper("unsqueeze", new Unsqueeze(), x, n.constant(Tensor.vector(axes)));
        }
        if (n.inputs().contains(v) && s.rank() == 4) {
            return n.nchw(n.inputs().indexOf(v));
        }
        return n.transpose(x, 0, 3, 1, 2);
    }
}
