package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.onnx.TensorProtos;
import dev.infero.onnx.proto.Onnx.TensorProto;
import dev.infero.testing.SharedData;
import dev.infero.testing.TensorAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared real models give the same outputs in Infero as in ONNX Runtime on the same inputs, and the light
 * models also reproduce the reference outputs shipped with them.
 */
class OnnxRuntimeReferenceTest {
    /** Largest allowed difference, relative to max(1, |reference|): the 1e-4 budget. */
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"face/blazeface.onnx", "face/facemesh.onnx"})
    void faceModelsMatchOnnxRuntimeOnRandomInputsInTheirRange(String model) throws Exception {
        Path file = SharedData.require("models/" + model);
        List<Tensor> inputs = new ArrayList<>();
        Random random = new Random(42);
        try (Core core = new Core()) {
            CompiledModel compiled = core.compileModel(file, "CPU");
            for (PortInfo port : compiled.inputs()) {
                int[] shape = port.shape().toArray();
                float[] data = new float[Tensor.allocate(port.type(), shape).size()];
                for (int i = 0; i < data.length; i++) {
                    data[i] = random.nextFloat() * 2 - 1;
                }
                inputs.add(Tensor.of(data, shape));
            }
            compareWithOnnxRuntime(compiled, file, inputs);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"light_resnet50", "light_squeezenet", "light_shufflenet", "light_inception_v1"})
    void lightModelsMatchTheirReferenceOutputAndOnnxRuntime(String name) throws Exception {
        Path file = SharedData.require("models/light/" + name + ".onnx");
        Tensor expected = TensorProtos.toTensor(TensorProto.parseFrom(
                Files.readAllBytes(file.resolveSibling(name + "_output_0.pb"))));
        try (Core core = new Core()) {
            CompiledModel compiled = core.compileModel(file, "CPU");
            List<Tensor> inputs = new ArrayList<>();
            for (PortInfo port : compiled.inputs()) {
                // The documented input behind the reference output: arange(n) / n in the input's shape.
                int[] shape = port.shape().toArray();
                float[] data = new float[Tensor.allocate(port.type(), shape).size()];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) i / data.length;
                }
                inputs.add(Tensor.of(data, shape));
            }
            List<Tensor> outputs = compareWithOnnxRuntime(compiled, file, inputs);
            TensorAssert.assertClose(expected, outputs.get(0), 1e-3, 1e-7);
        }
    }

    /** Bilinear upsampling and downsampling (FPN necks, segmentation heads) on the fast kernel, in each mode ORT has. */
    @ParameterizedTest
    @ValueSource(strings = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"})
    void linearResizeMatchesOnnxRuntime(String coordinates, @TempDir Path dir) throws Exception {
        Random random = new Random(coordinates.hashCode());
        for (long[] sizes : new long[][] {{2, 3, 22, 34}, {2, 3, 5, 7}, {2, 3, 11, 40}}) {
            Path file = dir.resolve("linear" + sizes[2] + ".onnx");
            OnnxModelBuilder b = new OnnxModelBuilder("linear", 17)
                    .input("x", ElementType.F32, 2, 3, 11, 17)
                    .initializer("roi", Tensor.of(new float[0], 0))
                    .initializer("scales", Tensor.of(new float[0], 0))
                    .initializer("sizes", Tensor.of(sizes, 4))
                    .output("y", ElementType.F32);
            b.node("Resize", "resize").inputs("x", "roi", "scales", "sizes").outputs("y").attr("mode", "linear")
                    .attr("coordinate_transformation_mode", coordinates);
            b.write(file);
            float[] data = new float[2 * 3 * 11 * 17];
            for (int i = 0; i < data.length; i++) {
                data[i] = random.nextFloat() * 2 - 1;
            }
            try (Core core = new Core()) {
                CompiledModel compiled = core.compileModel(file, "CPU");
                compareWithOnnxRuntime(compiled, file, List.of(Tensor.of(data, 2, 3, 11, 17)));
            }
        }
    }

    /** The same inputs through ONNX Runtime (device ORT, all graph optimizations on). */
    private static List<Tensor> onOnnxRuntime(Path file, List<Tensor> inputs) {
        try (Core core = new Core(); CompiledModel ort = core.compileModel(file, "ORT")) {
            InferRequest r = ort.createInferRequest();
            for (int i = 0; i < inputs.size(); i++) {
                r.setInput(i, inputs.get(i));
            }
            r.infer();
            List<Tensor> out = new ArrayList<>();
            for (int i = 0; i < ort.outputs().size(); i++) {
                out.add(r.getOutput(i).copy());
            }
            return out;
        }
    }

    private static List<Tensor> compareWithOnnxRuntime(CompiledModel compiled, Path file, List<Tensor> inputs)
            throws Exception {
        InferRequest request = compiled.createInferRequest();
        for (int i = 0; i < inputs.size(); i++) {
            request.setInput(i, inputs.get(i));
        }
        request.infer();
        List<Tensor> reference = onOnnxRuntime(file, inputs);
        assertEquals(reference.size(), compiled.outputs().size(), "output count");
        List<Tensor> outputs = new ArrayList<>();
        for (int i = 0; i < reference.size(); i++) {
            Tensor ours = request.getOutput(i).copy();
            Tensor ref = reference.get(i);
            outputs.add(ours);
            double worst = 0;
            for (int k = 0; k < ref.size(); k++) {
                double r = ref.getDouble(k);
                worst = Math.max(worst, Math.abs(ours.getDouble(k) - r) / Math.max(1, Math.abs(r)));
            }
            assertEquals(ref.describe(), ours.describe(), "output " + i + " type and shape");
            final int index = i;
            final double w = worst;
            assertTrue(worst <= TOLERANCE, () -> file.getFileName() + " output " + index + " ("
                    + compiled.outputs().get(index).name() + ") differs from ONNX Runtime by " + w);
        }
        return outputs;
    }
}
