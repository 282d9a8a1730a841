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
        r.registerAll(Add.SPEC, Subtract.SPEC, Multiply.SPEC, Divide.SPEC, Maximum.SPEC, Minimum.SPEC, Power.SPEC,
                FloorMod.SPEC, Mod.SPEC, Select.SPEC, Abs.SPEC, Acos.SPEC, Acosh.SPEC, Asin.SPEC, Asinh.SPEC, Atan.SPEC,
                Atanh.SPEC, Ceiling.SPEC, Cos.SPEC, Cosh.SPEC, Erf.SPEC, Exp.SPEC, Floor.SPEC, Log.SPEC, Negative.SPEC,
                Sign.SPEC, Sin.SPEC, Sinh.SPEC, Sqrt.SPEC, Tan.SPEC, Tanh.SPEC, HSwish.SPEC, Mish.SPEC, PRelu.SPEC,
                Relu.SPEC, Sigmoid.SPEC, SoftPlus.SPEC, SoftSign.SPEC, Equal.SPEC, NotEqual.SPEC, Greater.SPEC,
                GreaterEqual.SPEC, Less.SPEC, LessEqual.SPEC, LogicalAnd.SPEC, LogicalOr.SPEC, LogicalXor.SPEC,
                LogicalNot.SPEC, IsNaN.SPEC, BitwiseAnd.SPEC, BitwiseOr.SPEC, BitwiseXor.SPEC, BitwiseNot.SPEC,
                BitwiseLeftShift.SPEC, BitwiseRightShift.SPEC);
        // OpenVINO's own type name is PRelu; its IR serializer writes PReLU (and Infero did write PRelu before).
        r.registerAlias("PRelu", 1, PRelu.SPEC);
        r.registerAll(BitCast.SPEC, Convert.SPEC, Clamp.SPEC, Elu.SPEC, Gelu.SPEC, Round.SPEC, IsInf.SPEC);
    }
}
