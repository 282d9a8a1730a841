package dev.infero.cli.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.infero.core.InferoException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The JSON writer of the CLI's report files (benchmark, peer comparison, conformance), on Jackson: maps keep their
 * insertion order, indentation is two spaces with {@code "key": value} as OpenVINO's benchmark_app writes it, and
 * doubles have three decimals (non-finite ones, which JSON cannot hold, become {@code null}).
 */
public final class Json {
    private static final ObjectWriter WRITER = writer();

    private Json() {
    }

    /** {@code value} (maps, lists, strings, numbers, booleans, records) as indented JSON ending in a newline. */
    public static String write(Object value) {
        try {
            return WRITER.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new InferoException("cannot write report as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static ObjectWriter writer() {
        SimpleModule millis = new SimpleModule().addSerializer(Double.class, new StdSerializer<>(Double.class) {
            @Override
            public void serialize(Double d, JsonGenerator g, SerializerProvider p) throws IOException {
                if (Double.isFinite(d)) {
                    g.writeNumber(BigDecimal.valueOf(d).setScale(3, RoundingMode.HALF_UP));
                } else {
                    g.writeNull();
                }
            }
        });
        JsonMapper mapper = JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                .addModule(millis).build();
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withSeparators(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER).withObjectEmptySeparator("")
                .withArrayEmptySeparator(""));
        printer.indentObjectsWith(indenter);
        printer.indentArraysWith(indenter);
        return mapper.writer(printer);
    }
}
