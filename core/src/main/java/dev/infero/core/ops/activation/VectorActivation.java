package dev.infero.core.ops.activation;

import dev.infero.core.ops.eltwise.UnaryElementwise;
import jdk.incubator.vector.FloatVector;

/**
 * An activation whose f32 form is a composite of vector operations (ReLU, Clamp, Sigmoid, HSwish...): it states the
 * lane-wise math in {@link #apply(FloatVector)}, and is therefore always {@linkplain #vectorized() vectorized}. The
 * one place that ties the two together, so that no activation can give the vector form and forget to use it.
 */
public abstract class VectorActivation extends UnaryElementwise {
    @Override
    protected final boolean vectorized() {
        return true;
    }

    @Override
    protected abstract FloatVector apply(FloatVector x);
}
