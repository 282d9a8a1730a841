package dev.infero.core.op;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A table of op factories by OpenVINO type name and the opset that introduced each version. The op sets fill one
 * that is passed to them ({@code <Family>OpSet.register(OpFactories)}), so they never reach for a global registry;
 * {@link OpRegistry} builds the standard table from every op set. A request for {@code opsetN} gets the newest
 * version introduced in opset N or earlier, which is the version opset N contains. Each op registers its declaration
 * ({@link OpSpec#register}); {@link #registrations} lists what was registered and from which declaration, so a test
 * can walk every op.
 */
public final class OpFactories {
    /** Opset number standing for Infero's own ops ({@code version="infero"}). */
    public static final int INFERO_OPSET = Integer.MAX_VALUE;

    /** One registered version: the type, the opset it is registered from, and its declaration. */
    public record Registration(String type, int opset, OpSpec<?> spec) {
    }

    private final Map<String, NavigableMap<Integer, Function<AttributeSource, Op>>> factories = new HashMap<>();
    private final List<Registration> registrations = new ArrayList<>();

    /**
     * Registers {@code spec}'s IR factory under its type as introduced in {@code opset} (or {@link #INFERO_OPSET});
     * {@link OpSpec#register} calls this.
     */
    public void register(OpSpec<?> spec, int opset) {
        factories.computeIfAbsent(spec.type(), k -> new TreeMap<>()).put(opset, spec::read);
        registrations.add(new Registration(spec.type(), opset, spec));
    }

    /** Registers each declaration from the opset of the version it writes ({@link OpSpec#register(OpFactories)}). */
    public void registerAll(OpSpec<?>... specs) {
        for (OpSpec<?> spec : specs) {
            spec.register(this);
        }
    }

    /**
     * Registers {@code spec}'s IR factory under another type name as well, for files that spell the type otherwise
     * (PRelu for OpenVINO's PReLU).
     */
    public void registerAlias(String type, int opset, OpSpec<?> spec) {
        factories.computeIfAbsent(type, k -> new TreeMap<>()).put(opset, spec::read);
        registrations.add(new Registration(type, opset, spec));
    }

    /** Every registration in the order it was made (each op set's, then callers' own). */
    public List<Registration> registrations() {
        return List.copyOf(registrations);
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
