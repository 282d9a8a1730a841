package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpFactories;
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
import dev.infero.core.ops.logical.NotEqual;

/** IR factories of the element-wise, activation and logical ops (read what each op's {@code describe} writes). */
public final class ElementwiseOpSet {
    private ElementwiseOpSet() {
    }

    public static void register(OpFactories r) {
        r.registerSimple(Add::new, Subtract::new, Multiply::new, Divide::new, Maximum::new, Minimum::new,
                Power::new, FloorMod::new, Mod::new, Select::new,
                Abs::new, Acos::new, Acosh::new, Asin::new, Asinh::new, Atan::new, Atanh::new, Ceiling::new,
                Cos::new, Cosh::new, Erf::new, Exp::new, Floor::new, Log::new, Negative::new, Sign::new, Sin::new,
                Sinh::new, Sqrt::new, Tan::new, Tanh::new,
                HSwish::new, Mish::new, PRelu::new, Relu::new, Sigmoid::new, SoftPlus::new, SoftSign::new,
                Equal::new, NotEqual::new, Greater::new, GreaterEqual::new, Less::new, LessEqual::new,
                LogicalAnd::new, LogicalOr::new, LogicalXor::new, LogicalNot::new, IsNaN::new,
                BitwiseAnd::new, BitwiseOr::new, BitwiseXor::new, BitwiseNot::new, BitwiseLeftShift::new,
                BitwiseRightShift::new);
        // OpenVINO's own type name is PRelu; its IR serializer writes PReLU (and Infero did write PRelu before).
        r.register("PRelu", 1, a -> new PRelu());
        BitCast.SPEC.register(r);
        r.register("Convert", 1, Convert::read);
        Clamp.SPEC.register(r);
        Elu.SPEC.register(r);
        Gelu.SPEC.register(r);
        Round.SPEC.register(r);
        IsInf.SPEC.register(r);
    }
}
