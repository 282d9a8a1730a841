package dev.infero.cli.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaseOpsTest {
    @TempDir
    Path dir;

    private Path model(String caseName, String... opTypes) {
        OnnxModelBuilder b = new OnnxModelBuilder(caseName, 17).input("v0", ElementType.F32, 1);
        for (int i = 0; i < opTypes.length; i++) {
            b.node(opTypes[i], "n" + i).inputs("v" + i).outputs("v" + (i + 1));
        }
        b.output("v" + opTypes.length, ElementType.F32, 1);
        Path c = dir.resolve(caseName);
        b.write(c.resolve("model.onnx"));
        return c;
    }

    @Test
    void singleOpTypeNamesTheCase() {
        assertEquals("Conv", CaseOps.opOf(model("test_conv_with_strides_padding", "Conv")));
        assertEquals("Relu", CaseOps.opOf(model("test_single_relu_model", "Relu")));
    }

    @Test
    void severalOpTypesPickTheLongestThatPrefixesTheCaseName() {
        assertEquals("ReduceMax", CaseOps.opOf(model("test_reduce_max_keepdims", "Constant", "ReduceMax")));
        assertEquals("ConvTranspose", CaseOps.opOf(model("test_convtranspose_1d", "Conv", "ConvTranspose")));
        assertEquals("Shape", CaseOps.opOf(model("test_no_match", "Shape", "Gather")));
    }

    @Test
    void expandedCasesCountUnderTheOpOfTheirOriginal() {
        model("test_softmax_axis_0", "Softmax");
        assertEquals("Softmax (expanded)",
                CaseOps.opOf(model("test_softmax_axis_0_expanded", "ReduceMax", "Sub", "Exp", "ReduceSum", "Div")));
        model("test_shrink_hard", "Shrink");
        assertEquals("Shrink (expanded)", CaseOps.opOf(model("test_shrink_hard_expanded_ver18", "Less", "Where")));
        assertEquals("Where (expanded)", CaseOps.opOf(model("test_where_only_expanded", "Where")));
    }

    @Test
    void unreadableModelIsUnknown() throws IOException {
        Path c = Files.createDirectories(dir.resolve("test_broken"));
        Files.write(c.resolve("model.onnx"), new byte[] {1, 2, 3});
        assertEquals("?", CaseOps.opOf(c));
    }
}
