package dev.infero.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.testing.IrXml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An IR pair is published whole, names stay inside the output folder, and any name survives the XML. */
class IrIntegrityTest {
    @TempDir
    Path dir;

    private static Graph model(String inputName, float bias) {
        Graph g = new Graph("m");
        Value x = g.addParameter(inputName, ElementType.F32, PartialShape.of(2)).output(0);
        x.names().add(inputName);
        Value y = g.value(new Add(), "add", x, g.addConstant("b", Tensor.of(new float[] {bias, bias}, 2)).output(0));
        g.addResult("y", y).output(0).names().add("y");
        return g;
    }

    @Test
    void anXmlBesideTheBinOfAnotherWriteIsAClearError() throws Exception {
        IrWriter.Written first = IrWriter.write(model("x", 1), dir.resolve("a"), "m");
        IrWriter.Written second = IrWriter.write(model("x", 2), dir.resolve("b"), "m");
        Files.copy(second.bin(), first.bin(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        InferoException e = assertThrows(InferoException.class, () -> IrReader.read(first.xml()));
        assertTrue(e.getMessage().contains("does not belong to") && e.getMessage().contains("m.bin"), e.getMessage());
        // The recorded hash is not model metadata: reading and writing again records the new .bin's hash.
        Graph read = IrReader.read(second.xml());
        assertFalse(read.metadata().containsKey(IrIntegrity.BIN_SHA256));
        IrReader.read(IrWriter.write(read, dir.resolve("c"), "m").xml());
    }

    @Test
    void writingLeavesNoTemporaryFiles() throws Exception {
        IrWriter.write(model("x", 1), dir, "m");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(java.util.List.of("m.bin", "m.xml"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void namesThatAreNotFileNamesAreRefused() {
        for (String name : new String[] {"../x", "a/b", "a\\b", "..", "", "bad\u0001name"}) {
            InferoException e = assertThrows(InferoException.class, () -> IrWriter.write(model("x", 1), dir, name));
            assertTrue(e.getMessage().startsWith("model name '"), e.getMessage());
        }
        assertFalse(Files.exists(dir.getParent().resolve("x.xml")));
    }

    @Test
    void controlCharactersInTensorNamesAreWrittenAsReadableEscapes() {
        IrWriter.Written w = IrWriter.write(model("in\u0001put\ttab", 1), dir, "m");
        Graph read = IrReader.read(w.xml());
        Value x = read.parameters().get(0).output(0);
        assertTrue(x.names().contains("in\\u0001put\ttab"), x.names().toString());
        assertArrayEquals(new int[] {2}, x.shape().toArray());
    }

    @Test
    void anUnknownRoundingTypeIsAnErrorNotAGuess() {
        IrXml ir = new IrXml("p", 11);
        int x = ir.parameter("x", ElementType.F32, 1, 1, 4, 4);
        int pool = ir.layer("pool", "MaxPool", "opset1").data("strides=\"2,2\" pads_begin=\"0,0\" pads_end=\"0,0\" "
                + "kernel=\"2,2\" rounding_type=\"nan\" auto_pad=\"explicit\"").in(1, 1, 4, 4).out(1, "FP32", 1, 1, 2, 2)
                .id();
        ir.edge(x, 0, pool, 0).edge(pool, 1, ir.result("y", 1, 1, 2, 2), 0);
        Path file = ir.write(dir, "p");
        InferoException e = assertThrows(InferoException.class, () -> IrReader.read(file));
        assertTrue(e.getMessage().contains("rounding_type=\"nan\""), e.getMessage());
    }
}
