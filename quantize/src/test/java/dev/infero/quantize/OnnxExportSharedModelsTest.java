package dev.infero.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.onnx.OnnxExporter;
import dev.infero.testing.SharedData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real CNNs read by Infero and exported again compute in ONNX Runtime what the originals compute there. */
class OnnxExportSharedModelsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    // Not the light models: their constant weights give logits near 1e9 whose float rounding decides the softmax.
    @ValueSource(strings = {"models/face/blazeface.onnx", "models/face/facemesh.onnx"})
    void exportedModelMatchesTheOriginalInOnnxRuntime(String model) {
        Path original = SharedData.require(model);
        Path exported = dir.resolve("exported.onnx");
        try (Core core = new Core()) {
            Graph g = core.readModel(original).graph();
            OnnxExporter.write(g, exported);
            try (CompiledModel a = core.compileModel(original, "ORT");
                 CompiledModel b = core.compileModel(exported, "ORT")) {
                InferRequest ra = a.createInferRequest();
                InferRequest rb = b.createInferRequest();
                int[] shape = a.inputs().getFirst().shape().toArray();
                float[] x = new float[Arrays.stream(shape).reduce(1, Math::multiplyExact)];
                Random rnd = new Random(3);
                for (int i = 0; i < x.length; i++) {
                    x[i] = rnd.nextFloat() * 2 - 1;
                }
                ra.setInput(0, Tensor.of(x, shape));
                rb.setInput(0, Tensor.of(x, shape));
                ra.infer();
                rb.infer();
                assertEquals(a.outputs().size(), b.outputs().size());
                for (int o = 0; o < a.outputs().size(); o++) {
                    float[] want = ra.getOutput(o).toFloatArray();
                    float[] got = rb.getOutput(o).toFloatArray();
                    assertEquals(want.length, got.length);
                    for (int i = 0; i < want.length; i++) {
                        assertTrue(Math.abs(want[i] - got[i]) <= 1e-3f * (1 + Math.abs(want[i])),
                                "output " + o + "[" + i + "]: " + got[i] + " vs " + want[i]);
                    }
                }
            }
        }
    }
}
