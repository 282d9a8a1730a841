package dev.infero.core.op;

import dev.infero.core.ops.Result;
import dev.infero.core.ops.detection.DetectionOps;
import dev.infero.core.ops.eltwise.ElementwiseOpSet;
import dev.infero.core.ops.misc.MiscOpSet;
import dev.infero.core.ops.movement.MovementOpSet;
import dev.infero.core.ops.nn.BackpropConvolutionOpSet;
import dev.infero.core.ops.nn.NnOpSet;
import dev.infero.core.ops.normalization.NormalizationOpSet;
import dev.infero.core.ops.reduce.ReduceOpSet;
import dev.infero.core.ops.selection.SelectionOpSet;
import dev.infero.core.ops.slicing.StridedSlice;
import java.util.function.Function;

/**
 * Every op Infero knows, by OpenVINO type name and version, with a factory that builds it from its attributes
 * (what the IR reader uses). Versions are keyed by the opset that introduced them: a request for {@code opsetN}
 * gets the newest version introduced in opset N or earlier, which is the version opset N contains. Ops Infero adds
 * itself are registered under version {@code infero}. (Parameter and Const need data, not just attributes: the IR
 * reader builds those itself.)
 *
 * <p>The registry depends on the op sets and not the other way round: each op set fills the {@link OpFactories}
 * table it is given.
 */
public final class OpRegistry {
    /** Opset number standing for Infero's own ops ({@code version="infero"}). */
    public static final int INFERO_OPSET = OpFactories.INFERO_OPSET;

    private static final OpFactories STANDARD = standard();

    private OpRegistry() {
    }

    /** A new table holding every op set of {@code core}; callers may add their own ops to it. */
    public static OpFactories standard() {
        OpFactories r = new OpFactories();
        Result.SPEC.register(r);
        ElementwiseOpSet.register(r);
        MovementOpSet.register(r);
        NnOpSet.register(r);
        StridedSlice.SPEC.register(r);
        DetectionOps.register(r);
        SelectionOpSet.register(r);
        BackpropConvolutionOpSet.register(r);
        ReduceOpSet.register(r);
        NormalizationOpSet.register(r);
        MiscOpSet.register(r);
        dev.infero.core.ops.recurrent.RecurrentOpSet.register(r);
        dev.infero.core.ops.control.ControlFlowOps.register(r);
        dev.infero.core.ops.sequence.SequenceOpSet.register(r);
        dev.infero.core.ops.ml.MlOpSet.register(r);
        return r;
    }

    /** The factory for {@code type} as of {@code opset}, or {@code null} when Infero does not know it. */
    public static Function<AttributeSource, Op> factory(String type, int opset) {
        return STANDARD.factory(type, opset);
    }

    /** The newest OpenVINO opset any registered op version comes from (Infero's own ops aside). */
    public static int newestOpset() {
        return STANDARD.newestOpset();
    }

    /** Whether Infero knows any version of {@code type}. */
    public static boolean knows(String type) {
        return STANDARD.knows(type);
    }

    /** The opset number of a version string: {@code opset8} → 8, {@code infero} → {@link #INFERO_OPSET}, else -1. */
    public static int opsetOf(String version) {
        return OpFactories.opsetOf(version);
    }
}
