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
        Add.SPEC.register(r);
        Subtract.SPEC.register(r);
        Multiply.SPEC.register(r);
        Divide.SPEC.register(r);
        Maximum.SPEC.register(r);
        Minimum.SPEC.register(r);
        Power.SPEC.register(r);
        FloorMod.SPEC.register(r);
        Mod.SPEC.register(r);
        Select.SPEC.register(r);
        Abs.SPEC.register(r);
        Acos.SPEC.register(r);
        Acosh.SPEC.register(r);
        Asin.SPEC.register(r);
        Asinh.SPEC.register(r);
        Atan.SPEC.register(r);
        Atanh.SPEC.register(r);
        Ceiling.SPEC.register(r);
        Cos.SPEC.register(r);
        Cosh.SPEC.register(r);
        Erf.SPEC.register(r);
        Exp.SPEC.register(r);
        Floor.SPEC.register(r);
        Log.SPEC.register(r);
        Negative.SPEC.register(r);
        Sign.SPEC.register(r);
        Sin.SPEC.register(r);
        Sinh.SPEC.register(r);
        Sqrt.SPEC.register(r);
        Tan.SPEC.register(r);
        Tanh.SPEC.register(r);
        HSwish.SPEC.register(r);
        Mish.SPEC.register(r);
        PRelu.SPEC.register(r);
        Relu.SPEC.register(r);
        Sigmoid.SPEC.register(r);
        SoftPlus.SPEC.register(r);
        SoftSign.SPEC.register(r);
        Equal.SPEC.register(r);
        NotEqual.SPEC.register(r);
        Greater.SPEC.register(r);
        GreaterEqual.SPEC.register(r);
        Less.SPEC.register(r);
        LessEqual.SPEC.register(r);
        LogicalAnd.SPEC.register(r);
        LogicalOr.SPEC.register(r);
        LogicalXor.SPEC.register(r);
        LogicalNot.SPEC.register(r);
        IsNaN.SPEC.register(r);
        BitwiseAnd.SPEC.register(r);
        BitwiseOr.SPEC.register(r);
        BitwiseXor.SPEC.register(r);
        BitwiseNot.SPEC.register(r);
        BitwiseLeftShift.SPEC.register(r);
        BitwiseRightShift.SPEC.register(r);
        // OpenVINO's own type name is PRelu; its IR serializer writes PReLU (and Infero did write PRelu before).
        r.registerAlias("PRelu", 1, PRelu.SPEC);
        BitCast.SPEC.register(r);
        Convert.SPEC.register(r);
        Clamp.SPEC.register(r);
        Elu.SPEC.register(r);
        Gelu.SPEC.register(r);
        Round.SPEC.register(r);
        IsInf.SPEC.register(r);
    }
}
