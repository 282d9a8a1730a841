package dev.infero.core.ops.activation;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.FloatVector;

/** Element-wise hard swish {@code x * min(max(x + 3, 0), 6) / 6} (OpenVINO HSwish-4, ONNX HardSwish). */
public final class HSwish extends VectorActivation {
    public static final OpSpec<HSwish> SPEC = OpSpec.of(HSwish.class, "HSwish", "opset4", a -> new HSwish());

    @Override
    protected FloatVector apply(FloatVector x) {
        return x.mul(x.add(3f).max(0f).min(6f)).div(6f);
    }

    @Override
    protected double apply(double x) {
        return x * Math.min(Math.max(x + 3, 0), 6) / 6;
    }
}
