package dev.infero.core.op;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * An op's declaration: its OpenVINO type name and version, its attributes in IR order ({@link Attribute}: name, value
 * type, default, the typed accessor) and the factory that builds it from IR attributes. An op that declares one
 * returns it from {@link Op#spec()}; {@link Op#type()}, {@link Op#version()} and {@link Op#describe} then derive
 * from it (so the IR writer, op identity and messages read the declaration), and its op set registers it with
 * {@link #register}, so the IR reader reads the same names and defaults back. The op's semantics (inference,
 * evaluation) stay in the op class.
 *
 * @param <O> the op class
 */
public final class OpSpec<O extends Op> {
    /** The declaration of each op class that has exactly one; {@link #SEVERAL} where a class has more. */
    private static final Map<Class<?>, OpSpec<?>> BY_CLASS = new ConcurrentHashMap<>();
    private static final OpSpec<Op> SEVERAL = new OpSpec<>(Op.class, "several", "infero", a -> null, List.of());

    private final Class<O> opClass;
    private final String type;
    private final String version;
    private final Function<AttributeSource, O> factory;
    private final List<Attribute<? super O, ?>> attributes;

    private OpSpec(Class<O> opClass, String type, String version, Function<AttributeSource, O> factory,
                   List<Attribute<? super O, ?>> attributes) {
        this.opClass = opClass;
        this.type = Objects.requireNonNull(type);
        this.version = Objects.requireNonNull(version);
        this.factory = Objects.requireNonNull(factory);
        this.attributes = attributes;
        if (OpFactories.opsetOf(version) < 0) {
            throw new IllegalArgumentException(type + ": version '" + version + "' is not opsetN or infero");
        }
        if (opClass != Op.class) {
            BY_CLASS.merge(opClass, this, (first, second) -> SEVERAL);
        }
    }

    /**
     * The one declaration of {@code opClass} (what {@link Op#spec()} returns unless the op overrides it), or
     * {@code null} when it declares none; a class with several (MaxPool-1 and -8) must override {@link Op#spec()}.
     */
    static OpSpec<?> of(Class<? extends Op> opClass) {
        OpSpec<?> spec = BY_CLASS.get(opClass);
        if (spec == SEVERAL) {
            throw new IllegalStateException(opClass.getName() + " has several OpSpecs and must choose one in spec()");
        }
        return spec;
    }

    /**
     * The declaration of {@code opClass}: type name, version ({@code opset8}, or {@code infero} for Infero's own
     * ops), the factory that reads the op from IR attributes (each with {@link Attribute#read}), and the attributes
     * in the order IR writes them.
     */
    @SafeVarargs
    public static <O extends Op> OpSpec<O> of(Class<O> opClass, String type, String version,
                                              Function<AttributeSource, O> factory,
                                              Attribute<? super O, ?>... attributes) {
        return new OpSpec<>(opClass, type, version, factory, List.of(attributes));
    }

    /**
     * {@link #of(Class, String, String, Function, Attribute[])} with the attributes as a list (a family's, then the
     * op's).
     */
    public static <O extends Op> OpSpec<O> of(Class<O> opClass, String type, String version,
                                              Function<AttributeSource, O> factory,
                                              List<Attribute<? super O, ?>> attributes) {
        return new OpSpec<>(opClass, type, version, factory, List.copyOf(attributes));
    }

    public String type() {
        return type;
    }

    public String version() {
        return version;
    }

    public List<Attribute<? super O, ?>> attributes() {
        return attributes;
    }

    /** Writes {@code op}'s attributes in declaration order. */
    public void describe(Op op, AttributeSink sink) {
        O typed = opClass.cast(op);
        for (Attribute<? super O, ?> a : attributes) {
            a.write(typed, sink);
        }
    }

    /** The op as IR {@code source} declares it. */
    public O read(AttributeSource source) {
        return factory.apply(source);
    }

    /** Registers the factory under this type, for the opset of this version. */
    public void register(OpFactories table) {
        register(table, OpFactories.opsetOf(version));
    }

    /**
     * Registers the factory under this type from {@code opset} on, for an op whose IR attributes have not changed
     * since an earlier opset than the version it writes (SoftMax-1 files read as SoftMax-8).
     */
    public void register(OpFactories table, int opset) {
        table.register(this, opset);
    }
}
