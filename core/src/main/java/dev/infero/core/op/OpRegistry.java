package dev.infero.core.op;

import dev.infero.core.ops.Result;
import dev.infero.core.ops.detection.DetectionOps;
import dev.infero.core.ops.eltwise.ElementwiseOpSet;
import dev.infero.core.ops.misc.MiscOpSet;
import dev.infero.core.ops.movement.MovementOpSet;
import dev.infero.core.ops.nn.BackpropConvolutionOpSet;
import dev.infero.core.ops.nn.NnOpSet;
import dev.infero.core.ops.selection.SelectionOpSet;
import dev.infero.core.ops.slicing.StridedSlice;
import dev.infero.core.ops.normalization.NormalizationOpSet;
import dev.infero.core.ops.reduce.ReduceOpSet;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Every op Infero knows, by OpenVINO type name and version, with a factory that builds it from its attributes
 * (what the IR reader uses). Versions are keyed by the opset that introduced them: a request for {@code opsetN}
 * gets the newest version introduced in opset N or earlier, which is the version opset N contains. Ops Infero adds
 * itself are registered under version {@code infero}. (Parameter and Const need data, not just attributes: the IR
 * reader builds those itself.)
 */
public final class OpRegistry {
    /** Opset number standing for Infero's own ops ({@code version="infero"}). */
    public static final int INFERO_OPSET = Integer.MAX_VALUE;

    private static final Map<String, NavigableMap<Integer, Function<AttributeSource, Op>>> FACTORIES = new HashMap<>();

    static {
        register("Result", 1, a -> new Result());
        ElementwiseOpSet.register();
        MovementOpSet.register();
        NnOpSet.register();
        register("StridedSlice", 1, StridedSlice::read);
        DetectionOps.register();
        SelectionOpSet.register();
        BackpropConvolutionOpSet.register();
        ReduceOpSet.register();
        NormalizationOpSet.register();
        MiscOpSet.register();
        dev.infero.core.ops.recurrent.RecurrentOpSet.register();
        dev.infero.core.ops.control.ControlFlowOps.register();
    }

    private OpRegistry() {
    }

    /** Registers the factory of {@code type} as introduced in {@code opset} (or {@link #INFERO_OPSET}). */
    public static void register(String type, int opset, Function<AttributeSource, Op> factory) {
        FACTORIES.computeIfAbsent(type, k -> new TreeMap<>()).put(opset, factory);
    }

    /** Registers ops without attributes; each one's type and version come from an instance. */
    @SafeVarargs
    public static void registerSimple(java.util.function.Supplier<? extends Op>... ops) {
        for (var supplier : ops) {
            Op sample = supplier.get();
            register(sample.type(), opsetOf(sample.version()), a -> supplier.get());
        }
    }

    /** The factory for {@code type} as of {@code opset}, or {@code null} when Infero does not know it. */
    public static Function<AttributeSource, Op> factory(String type, int opset) {
        NavigableMap<Integer, Function<AttributeSource, Op>> versions = FACTORIES.get(type);
        if (versions == null) {
            return null;
        }
        Map.Entry<Integer, Function<AttributeSource, Op>> e = versions.floorEntry(opset);
        return e == null ? null : e.getValue();
    }

    /** The newest OpenVINO opset any registered op version comes from (Infero's own ops aside). */
    public static int newestOpset() {
        int newest = 1;
        for (NavigableMap<Integer, Function<AttributeSource, Op>> versions : FACTORIES.values()) {
            Integer v = versions.lowerKey(INFERO_OPSET);
            if (v != null) {
                newest = Math.max(newest, v);
            }
        }
        return newest;
    }

    public static boolean knows(String type) {
        return FACTORIES.containsKey(type);
    }

    /** The opset number of a version string: {@code opset8} → 8, {@code infero} → {@link #INFERO_OPSET}, else -1. */
    public static int opsetOf(String version) {
        if (version.startsWith("opset")) {
            try {
                return Integer.parseInt(version.substring(5));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return version.equals("infero") ? INFERO_OPSET : -1;
    }
}
