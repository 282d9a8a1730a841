package dev.infero.caffe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.caffe.proto.Caffe.NetParameter;
import dev.infero.core.InferoException;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.graph.Graph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gives one clear InferoException naming the file and the element; companions are found by name. */
class CaffeErrorsTest {
    @TempDir
    Path dir;

    private static final String NET = CaffeLayersTest.input(1, 2, 3, 3)
            + "layer { name: 'conv1' type: 'Convolution' bottom: 'data' top: 'conv1' convolution_param { num_output: 2 kernel_size: 1 } }\n"
            + "layer { name: 'fc' type: 'InnerProduct' bottom: 'conv1' top: 'fc' inner_product_param { num_output: 3 } }\n";

    private static NetParameter weights() {
        return CaffeLayersTest.weights("conv1", CaffeLayersTest.blob(new float[4], 2, 2, 1, 1),
                CaffeLayersTest.blob(new float[2], 2), "fc", CaffeLayersTest.blob(new float[54], 3, 18),
                CaffeLayersTest.blob(new float[3], 3));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void aModelWithItsPrototxtBesideItReadsByContentAndName() throws IOException {
        Path model = write("net.caffemodel", weights().toByteArray());
        write("net.prototxt", NET.getBytes());
        CaffeFrontend f = new CaffeFrontend();
        assertTrue(f.accepts(ModelSource.of(model)));
        Graph g = f.read(ModelSource.of(model));
        assertEquals(1, g.results().size());
        // By content under another name (the definition given as --input_proto).
        Path renamed = write("weights.bin", weights().toBuilder().setName("net").build().toByteArray());
        assertTrue(f.accepts(new ModelSource(renamed, null, null, null)));
        assertTrue(CaffeFrontend.looksLikeNetParameter(weights().toBuilder().setName("LeNet").build().toByteArray()));
        assertTrue(!CaffeFrontend.looksLikeNetParameter(new byte[] {0x0A, 0x10, 0x0A, 0x03, 'a', 'b', 'c', 0x12}));
        // The prototxt as the model finds its weights too.
        assertEquals(1, f.read(ModelSource.of(dir.resolve("net.prototxt"))).results().size());
    }

    @Test
    void aTruncatedCaffemodelNamesTheFileAndTheLastLayerRead() throws IOException {
        byte[] full = weights().toByteArray();
        Path model = write("net.caffemodel", Arrays.copyOf(full, full.length - 20));
        Path proto = write("deploy.prototxt", NET.getBytes());
        InferoException e = assertThrows(InferoException.class, () -> CaffeImporter.read(proto, model));
        assertTrue(e.getMessage().contains("net.caffemodel") && e.getMessage().contains("truncated")
                && e.getMessage().contains("'conv1'"), e.getMessage());
    }

    @Test
    void layerNamesThatDoNotMatchTheWeightsAreListed() throws IOException {
        Path model = write("net.caffemodel", weights().toByteArray());
        Path proto = write("deploy.prototxt", NET.replace("'fc'", "'fc8'").getBytes());
        InferoException e = assertThrows(InferoException.class, () -> CaffeImporter.read(proto, model));
        assertTrue(e.getMessage().contains("deploy.prototxt") && e.getMessage().contains("net.caffemodel")
                && e.getMessage().contains("'fc8' (InnerProduct)") && e.getMessage().contains("conv1, fc"), e.getMessage());
    }

    @Test
    void blobsOfTheWrongSizeNameTheLayerAndBlob() throws IOException {
        Path model = write("net.caffemodel", weights().toByteArray());
        Path proto = write("deploy.prototxt", NET.replace("num_output: 3", "num_output: 4").getBytes());
        InferoException e = assertThrows(InferoException.class, () -> CaffeImporter.read(proto, model));
        assertTrue(e.getMessage().contains("'fc'") && e.getMessage().contains("blob 0"), e.getMessage());
    }

    @Test
    void unsupportedLayersAreListedAllAtOnce() throws IOException {
        Path model = write("net.caffemodel", weights().toByteArray());
        Path proto = write("deploy.prototxt", (NET + "layer { name: 'roi' type: 'ROIPooling' bottom: 'fc' top: 'roi' }\n"
                + "layer { name: 'py' type: 'Python' bottom: 'roi' top: 'py' }").getBytes());
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> CaffeImporter.read(proto, model));
        assertEquals(2, e.unsupported().size());
        assertTrue(e.getMessage().contains("ROIPooling (layer 'roi')") && e.getMessage().contains("Python (layer 'py')"),
                e.getMessage());
    }

    @Test
    void brokenPrototxtAndUnknownBottomsAreReportedWithTheirPlace() throws IOException {
        Path model = write("net.caffemodel", weights().toByteArray());
        Path bad = write("bad.prototxt", "layer { name: 'x' type: 'ReLU' bottom: 'data' ".getBytes());
        InferoException e = assertThrows(InferoException.class, () -> CaffeImporter.read(bad, model));
        assertTrue(e.getMessage().contains("bad.prototxt") && e.getMessage().contains("line 1"), e.getMessage());
        Path unknown = write("unknown.prototxt", (NET + "layer { name: 'r' type: 'ReLU' bottom: 'nothing' top: 'r' }").getBytes());
        e = assertThrows(InferoException.class, () -> CaffeImporter.read(unknown, model));
        assertTrue(e.getMessage().contains("'r'") && e.getMessage().contains("'nothing'"), e.getMessage());
        Path notText = write("binary.prototxt", new byte[] {(byte) 0xA2, 0x06, (byte) 0xFF, (byte) 0xFE});
        e = assertThrows(InferoException.class, () -> CaffeImporter.read(notText, model));
        assertTrue(e.getMessage().contains("binary.prototxt"), e.getMessage());
    }

    @Test
    void aMissingCompanionIsNamed() throws IOException {
        Path model = write("lonely.caffemodel", weights().toByteArray());
        InferoException e = assertThrows(InferoException.class, () -> new CaffeFrontend().read(ModelSource.of(model)));
        assertTrue(e.getMessage().contains("lonely.caffemodel") && e.getMessage().contains("--input_proto"), e.getMessage());
    }
}
