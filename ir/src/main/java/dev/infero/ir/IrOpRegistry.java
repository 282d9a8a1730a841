package dev.infero.ir;

import dev.infero.core.op.Op;
import dev.infero.core.ops.Result;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Maximum;
import dev.infero.core.ops.eltwise.Minimum;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Unsqueeze;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * How IR layers become ops: for each layer type, a factory per op version, keyed by the opset that introduced it.
 * A layer written as {@code version="opsetN"} uses the newest version introduced in opset N or earlier, which is
 * the version opset N contains. (Parameter and Const are built by the reader itself, from the {@code .bin}.)
 */
public final class IrOpRegistry {
    private static final Map<String, NavigableMap<Integer, Function<IrAttributes, Op>>> FACTORIES = new HashMap<>();

    static {
        register("Result", 1, a -> new Result());
        register("Add", 1, a -> new Add());
        register("Subtract", 1, a -> new Subtract());
        register("Multiply", 1, a -> new Multiply());
        register("Divide", 1, a -> new Divide());
        register("Maximum", 1, a -> new Maximum());
        register("Minimum", 1, a -> new Minimum());
        register("Convert", 1, a -> new Convert(a.elementType("destination_type")));
        register("Reshape", 1, a -> new Reshape(a.bool("special_zero", false)));
        register("Squeeze", 1, a -> new Squeeze());
        register("Unsqueeze", 1, a -> new Unsqueeze());
    }

    private IrOpRegistry() {
    }

    static void register(String type, int opset, Function<IrAttributes, Op> factory) {
        FACTORIES.computeIfAbsent(type, k -> new TreeMap<>()).put(opset, factory);
    }

    /** The factory for {@code type} in {@code opsetN}, or {@code null} when Infero does not know it. */
    static Function<IrAttributes, Op> factory(String type, int opset) {
        NavigableMap<Integer, Function<IrAttributes, Op>> versions = FACTORIES.get(type);
        if (versions == null) {
            return null;
        }
        Map.Entry<Integer, Function<IrAttributes, Op>> e = versions.floorEntry(opset);
        return e == null ? null : e.getValue();
    }

    static boolean knowsType(String type) {
        return FACTORIES.containsKey(type);
    }
}
