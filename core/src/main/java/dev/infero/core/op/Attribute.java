package dev.infero.core.op;

import dev.infero.core.types.ElementType;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One attribute an op declares in its {@link OpSpec}: the IR name, the value type (how it is written to an
 * {@link AttributeSink} and read from an {@link AttributeSource}), the default when a file leaves it out, the op's
 * typed accessor that gives its value, and optionally when it is written at all. The op's {@code describe} (IR
 * writer, op identity for common-subexpression elimination, messages) and its IR factory both derive from this one
 * declaration, so the name, the spelling of the value and the default are stated once.
 *
 * @param <O> the op class the accessor reads
 * @param <T> the value type
 */
public final class Attribute<O extends Op, T> {
    private interface Reader<T> {
        T read(AttributeSource source, String name);
    }

    private interface Writer<T> {
        void write(AttributeSink sink, String name, T value);
    }

    /** How a value of one type is read from IR text and written back. */
    private record Codec<T>(Reader<T> reader, Writer<T> writer) {
    }

    private static final Codec<Long> INTEGER = codec(AttributeSource::integer, AttributeSink::attribute);
    private static final Codec<Double> NUMBER = codec(AttributeSource::number, AttributeSink::attribute);
    private static final Codec<Boolean> BOOL = codec((a, n) -> a.bool(n, false), AttributeSink::attribute);
    private static final Codec<String> STRING = codec(AttributeSource::string, AttributeSink::attribute);
    private static final Codec<long[]> INTEGERS = codec(AttributeSource::integers, AttributeSink::attribute);
    private static final Codec<float[]> NUMBERS = codec(AttributeSource::numbers, AttributeSink::attribute);
    private static final Codec<double[]> DOUBLES = codec(AttributeSource::doubles, AttributeSink::attribute);
    private static final Codec<ElementType> ELEMENT_TYPE = codec(AttributeSource::elementType,
            AttributeSink::attribute);

    private final String name;
    private final Codec<T> codec;
    private final Function<O, T> accessor;
    private final T defaultValue;
    private final Predicate<O> written;

    private Attribute(String name, Codec<T> codec, Function<O, T> accessor, T defaultValue, Predicate<O> written) {
        this.name = Objects.requireNonNull(name);
        this.codec = codec;
        this.accessor = Objects.requireNonNull(accessor);
        this.defaultValue = defaultValue;
        this.written = written;
    }

    /** A 64-bit integer attribute ({@code axis="-1"}). */
    public static <O extends Op> Attribute<O, Long> integer(String name, Function<O, Long> accessor) {
        return new Attribute<>(name, INTEGER, accessor, null, null);
    }

    /** A floating-point attribute, written so that it reads back exactly ({@code eps="1e-05"}). */
    public static <O extends Op> Attribute<O, Double> number(String name, Function<O, Double> accessor) {
        return new Attribute<>(name, NUMBER, accessor, null, null);
    }

    /** A boolean attribute ({@code true}/{@code false}; {@code 1}/{@code 0} are read too). */
    public static <O extends Op> Attribute<O, Boolean> bool(String name, Function<O, Boolean> accessor) {
        return new Attribute<>(name, BOOL, accessor, null, null);
    }

    /** A text attribute, read trimmed. */
    public static <O extends Op> Attribute<O, String> string(String name, Function<O, String> accessor) {
        return new Attribute<>(name, STRING, accessor, null, null);
    }

    /** A comma-separated integer list ({@code strides="2,2"}). */
    public static <O extends Op> Attribute<O, long[]> integers(String name, Function<O, long[]> accessor) {
        return new Attribute<>(name, INTEGERS, accessor, null, null);
    }

    /** A comma-separated list of floats. */
    public static <O extends Op> Attribute<O, float[]> numbers(String name, Function<O, float[]> accessor) {
        return new Attribute<>(name, NUMBERS, accessor, null, null);
    }

    /** A comma-separated list of doubles, written so that it reads back exactly. */
    public static <O extends Op> Attribute<O, double[]> doubles(String name, Function<O, double[]> accessor) {
        return new Attribute<>(name, DOUBLES, accessor, null, null);
    }

    /** An element type in IR spelling ({@code i64}). */
    public static <O extends Op> Attribute<O, ElementType> elementType(String name,
                                                                        Function<O, ElementType> accessor) {
        return new Attribute<>(name, ELEMENT_TYPE, accessor, null, null);
    }

    /** An enum written as its constant's name in lower case ({@code HALF_TO_EVEN} ↔ {@code half_to_even}). */
    public static <O extends Op, E extends Enum<E>> Attribute<O, E> enumValue(String name, Class<E> type,
                                                                            Function<O, E> accessor) {
        return new Attribute<>(name, codec((a, n) -> a.enumValue(type, n, null),
                (s, n, v) -> s.attribute(n, v.name().toLowerCase(Locale.ROOT))), accessor, null, null);
    }

    /** This attribute with the value a file that leaves it out gets (without one, leaving it out is an error). */
    public Attribute<O, T> orElse(T value) {
        return new Attribute<>(name, codec, accessor, Objects.requireNonNull(value), written);
    }

    /** This attribute written only for ops that pass {@code test} (an optional attribute or extension). */
    public Attribute<O, T> writtenWhen(Predicate<O> test) {
        return new Attribute<>(name, codec, accessor, defaultValue, test);
    }

    public String name() {
        return name;
    }

    /**
     * The value in {@code source}, or the default when it is absent; an absent attribute without a default, or a
     * value that does not parse, is an error naming the layer, the attribute and the value.
     */
    public T read(AttributeSource source) {
        if (defaultValue != null && !source.has(name)) {
            return defaultValue;
        }
        return codec.reader().read(source, name);
    }

    /** Writes {@code op}'s value, unless the attribute is written only for some ops and {@code op} is not one. */
    public void write(O op, AttributeSink sink) {
        if (written == null || written.test(op)) {
            codec.writer().write(sink, name, accessor.apply(op));
        }
    }

    private static <T> Codec<T> codec(Reader<T> reader, Writer<T> writer) {
        return new Codec<>(reader, writer);
    }
}
