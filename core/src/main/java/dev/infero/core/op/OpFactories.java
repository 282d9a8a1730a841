package dev.infero.core.op;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A table of op factories by OpenVINO type name and the opset that introduced each version. The op sets fill one
 * that is passed to them ({@code <Family>OpSet.register(OpFactories)}), so they never reach for a global registry;
 * {@link OpRegistry} builds the standard table from every op set. A request for {@code opsetN} gets the newest
 * version introduced in opset N or earlier, which is the version opset N contains.
 */
public final class OpFactories {
    /** Opset number standing for Infero's own ops ({@code version="infero"}). */
    public static final int INFERO_OPSET = Integer.MAX_VALUE;

    private final Map<String, NavigableMap<Integer, Function<AttributeSource, Op>>> factories = new HashMap<>();

    /** Registers the factory of {@code type} as introduced in {@code opset} (or {@link #INFERO_OPSET}). */
    public void register(String type, int opset, Function<AttributeSource, Op> factory) {
        factories.computeIfAbsent(type, k -> new TreeMap<>()).put(opset, factory);
    }

    /** Registers ops without attributes; each one's type and version come from an instance. */
    @SafeVarargs
    public final void registerSimple(Supplier<? extends Op>... ops) {
        for (var supplier : ops) {
            Op sample = supplier.get();
            register(sample.type(), opsetOf(sample.version()), a -> supplier.get());
        }
    }

    /** The factory for {@code type} as of {@code opset}, or {@code null} when the table does not have it. */
    public Function<AttributeSource, Op> factory(String type, int opset) {
        NavigableMap<Integer, Function<AttributeSource, Op>> versions = factories.get(type);
        if (versions == null) {
            return null;
        }
        Map.Entry<Integer, Function<AttributeSource, Op>> e = versions.floorEntry(opset);
        return e == null ? null : e.getValue();
    }

    /** The newest OpenVINO opset any registered op version comes from (Infero's own ops aside). */
    public int newestOpset() {
        int newest = 1;
        for (NavigableMap<Integer, Function<AttributeSource, Op>> versions : factories.values()) {
            Integer v = versions.lowerKey(INFERO_OPSET);
            if (v != null) {
                newest = Math.max(newest, v);
            }
        }
        return newest;
    }

    /** Whether any version of {@code type} is registered. */
    public boolean knows(String type) {
        return factories.containsKey(type);
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
