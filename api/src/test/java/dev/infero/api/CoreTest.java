package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoreTest {
    @TempDir
    Path dir;

    private Path addModel(long... xDims) {
        Path file = dir.resolve("add.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("add", 17)
                .input("x", ElementType.F32, xDims)
                .initializer("b", Tensor.of(new float[] {10, 20, 30}, 3))
                .output("y", ElementType.F32);
        b.node("Add", "add").inputs("x", "b").outputs("y");
        b.write(file);
        return file;
    }

    @Test
    void readsCompilesAndRunsAnOnnxModel() {
        try (Core core = new Core()) {
            CompiledModel compiled = core.compileModel(addModel(2, 3), "CPU");
            InferRequest request = compiled.createInferRequest();
            request.setInput("x", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
            request.infer();
            Tensor y = request.getOutput("y");
            assertArrayEquals(new int[] {2, 3}, y.shape());
            assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, y.floats());
        }
    }

    @Test
    void dynamicBatchIsResolvedFromTheInput() {
        try (Core core = new Core()) {
            InferRequest request = core.compileModel(addModel(-1, 3), "CPU").createInferRequest();
            request.setInput(0, Tensor.of(new float[] {1, 1, 1}, 1, 3));
            request.infer();
            assertArrayEquals(new float[] {11, 21, 31}, request.getOutput(0).toFloatArray());
            request.setInput(0, Tensor.of(new float[] {0, 0, 0, 1, 1, 1}, 2, 3));
            request.infer();
            assertArrayEquals(new int[] {2, 3}, request.getOutput(0).shape());
        }
    }

    @Test
    void aNullInputIsAnIllegalArgumentNamingTheInput() {
        try (Core core = new Core()) {
            InferRequest request = core.compileModel(addModel(2, 3), "CPU").createInferRequest();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> request.setInput(0, null));
            assertTrue(e.getMessage().contains("input 0 is null"), e.getMessage());
        }
    }

    @Test
    void rejectsAnInputOfTheWrongShapeOrType() {
        try (Core core = new Core()) {
            InferRequest request = core.compileModel(addModel(2, 3), "CPU").createInferRequest();
            InferoException shape = assertThrows(InferoException.class,
                    () -> request.setInput(0, Tensor.of(new float[] {1, 2, 3}, 1, 3)));
            assertEquals("input 'x' expects shape [2,3], got [1,3]", shape.getMessage());
            InferoException type = assertThrows(InferoException.class,
                    () -> request.setInput(0, Tensor.of(new long[6], 2, 3)));
            assertTrue(type.getMessage().contains("expects f32 data, got i64"), type.getMessage());
        }
    }
}
