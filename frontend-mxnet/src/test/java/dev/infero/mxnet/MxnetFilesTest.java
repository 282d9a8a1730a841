package dev.infero.mxnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.mxnet.MxnetTestFiles.Sym;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The params format in all its array forms, companion lookup, and one clear error for each kind of bad input. */
class MxnetFilesTest {
    @TempDir
    Path dir;

    private static final Tensor W = Tensor.of(new float[] {1.5f, -2, 0.25f, 4, 5, 6}, 2, 3);

    private static Map<String, Tensor> read(byte[] bytes) {
        return MxnetParams.read(ByteBuffer.wrap(bytes), "m-0000.params");
    }

    @Test
    void everyArrayFormReads() {
        for (int form : new int[] {2, 1, 0, 16}) {
            Map<String, Tensor> p = read(MxnetTestFiles.params(Map.of("arg:w", W), form));
            assertArrayEquals(new int[] {2, 3}, p.get("arg:w").shape(), "form " + form);
            assertArrayEquals(W.toFloatArray(), p.get("arg:w").toFloatArray(), "form " + form);
        }
    }

    private Sym fcSymbol() {
        return new Sym().var("data").var("fc_weight").op("FullyConnected", "fc", new String[] {"data", "fc_weight"},
                "num_hidden", "2", "no_bias", "True").head("fc").shape("data", 1, 3);
    }

    @Test
    void theParamsFindTheirSymbolAndTheSymbolItsParams() throws IOException {
        Path params = dir.resolve("m-0003.params");
        Files.write(params, MxnetTestFiles.params(Map.of("arg:fc_weight", W), 2));
        Files.write(dir.resolve("m-symbol.json"), fcSymbol().bytes());
        MxnetFrontend f = new MxnetFrontend();
        assertTrue(f.accepts(ModelSource.of(params)), "recognised by the list magic");
        Graph g = f.read(ModelSource.of(params));
        assertEquals(1, g.results().size());
        assertEquals(1, f.read(ModelSource.of(dir.resolve("m-symbol.json"))).results().size());
    }

    @Test
    void aMissingParamsTensorNamesTheFileTensorAndNode() {
        Map<String, Tensor> none = read(MxnetTestFiles.params(Map.of("arg:other", W), 2));
        InferoException e = assertThrows(InferoException.class,
                () -> MxnetImporter.importModel(fcSymbol().build(), none, "m-symbol.json", "m-0000.params", "m"));
        assertTrue(e.getMessage().contains("m-0000.params") && e.getMessage().contains("'arg:fc_weight'")
                && e.getMessage().contains("FullyConnected node 'fc'"), e.getMessage());
    }

    @Test
    void aCorruptArrayHeaderIsNamed() {
        byte[] bytes = MxnetTestFiles.params(Map.of("arg:w", W), 2);
        bytes[24] = 0x77; // the first array's magic
        InferoException e = assertThrows(InferoException.class, () -> read(bytes));
        assertTrue(e.getMessage().contains("m-0000.params") && e.getMessage().contains("array 0")
                && e.getMessage().contains("corrupt header"), e.getMessage());
    }

    @Test
    void sizesBeyondTheFileAreRejectedBeforeAllocating() {
        byte[] good = MxnetTestFiles.params(Map.of("arg:w", W), 2);
        // Truncated data.
        InferoException e = assertThrows(InferoException.class, () -> read(Arrays.copyOf(good, 60)));
        assertTrue(e.getMessage().contains("array 0") && e.getMessage().contains("truncated"), e.getMessage());
        // A huge array count.
        byte[] count = good.clone();
        ByteBuffer.wrap(count).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(16, Long.MAX_VALUE / 2);
        e = assertThrows(InferoException.class, () -> read(count));
        assertTrue(e.getMessage().contains("arrays, more than"), e.getMessage());
        // A huge dimension.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MxnetTestFiles.u64(MxnetParams.LIST_MAGIC));
        out.writeBytes(MxnetTestFiles.u64(0));
        out.writeBytes(MxnetTestFiles.u64(1));
        out.writeBytes(MxnetTestFiles.i32(MxnetParams.V2_MAGIC));
        out.writeBytes(MxnetTestFiles.i32(0));
        out.writeBytes(MxnetTestFiles.i32(2));
        out.writeBytes(MxnetTestFiles.u64(1 << 30));
        out.writeBytes(MxnetTestFiles.u64(1 << 30));
        out.writeBytes(MxnetTestFiles.i32(1));
        out.writeBytes(MxnetTestFiles.i32(0));
        out.writeBytes(MxnetTestFiles.i32(0));
        e = assertThrows(InferoException.class, () -> read(out.toByteArray()));
        assertTrue(e.getMessage().contains("needs more bytes"), e.getMessage());
        // Not a params file at all.
        e = assertThrows(InferoException.class, () -> read("{\"nodes\": []}".getBytes()));
        assertTrue(e.getMessage().contains("not an MXNet .params file"), e.getMessage());
    }

    @Test
    void unsupportedOpsAreListedAllAtOnceAndBadJsonIsNamed() throws IOException {
        Sym s = new Sym().var("data").op("ROIPooling", "roi", new String[] {"data"}).op("Correlation", "corr",
                new String[] {"roi"}).head("corr");
        UnsupportedModelException u = assertThrows(UnsupportedModelException.class,
                () -> MxnetImporter.importModel(s.build(), Map.of(), "m-symbol.json", "m-0000.params", "m"));
        assertEquals(2, u.unsupported().size());
        assertTrue(u.getMessage().contains("ROIPooling (node 'roi')") && u.getMessage().contains("Correlation (node 'corr')"));
        Path bad = dir.resolve("bad-symbol.json");
        Files.writeString(bad, "{\"nodes\": [");
        InferoException e = assertThrows(InferoException.class, () -> MxnetSymbol.read(bad));
        assertTrue(e.getMessage().contains("bad-symbol.json") && e.getMessage().contains("JSON"), e.getMessage());
        Files.writeString(bad, "{\"nodes\": [{\"op\": \"relu\", \"name\": \"r\", \"inputs\": [[5, 0, 0]]}], \"heads\": [[0, 0, 0]]}");
        e = assertThrows(InferoException.class, () -> MxnetSymbol.read(bad));
        assertTrue(e.getMessage().contains("node 'r'") && e.getMessage().contains("not an earlier node"), e.getMessage());
    }
}
